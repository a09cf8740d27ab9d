/**
 * Hides the user and password (or token) of `scheme://user:secret@host` URLs in any text: git remotes,
 * errors of git and of the HTTP clients, every log line and the terminal's error line. The secrets
 * netlog knows by value (ES_URL's, the API key, the hashing key) are scrubbed by value as well
 * (log-file.ts); this catches the credentials of URLs netlog did not configure, such as a remote's.
 */
export function maskUrlCredentials(text: string): string {
  // Userinfo already masked (maskEsUrl's `[credentials]`, or `***`) is left as it is.
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^/\s@]+)@/gi, (whole, scheme: string, userinfo: string) =>
    userinfo === '[credentials]' || userinfo === '***' ? whole : `${scheme}***@`,
  );
}
