/** The source presets netlog knows (presets.ts holds them; the schema only needs their names). */
export const PRESET_NAMES = [
  'netlog-sample',
  'elastic-zeek',
  'suricata',
  'packetbeat',
  'security-onion',
] as const;
export type PresetName = (typeof PRESET_NAMES)[number];
