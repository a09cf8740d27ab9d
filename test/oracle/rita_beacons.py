#!/usr/bin/env python3
"""An independent implementation of RITA v5's beacon scoring (activecm/rita analysis/beacons.go, the
defaults of default_config.hjson), written from RITA's description for netlog's tests. It shares no
code with src/: the standard library only (statistics.median), no numpy.

stdin: JSON list of cases {"start": sec, "end": sec, "ts": [sec...], "bytes": [n...]}
stdout: JSON list of {"timestamp", "dataSize", "histogram", "duration", "score"}
"""
import json
import math
import statistics
import sys


def r3(x):
    # Go's math.Round: half away from zero; all scores are >= 0.
    return math.floor(x * 1000 + 0.5) / 1000


def hinges(values):
    v = sorted(values)
    n = len(v)
    half = n // 2
    lower = v[:half]
    upper = v[half + (n % 2):]
    q1 = statistics.median(lower) if lower else 0.0
    q3 = statistics.median(upper) if upper else 0.0
    return q1, statistics.median(v), q3


def stat_score(values, mad_default):
    q1, q2, q3 = hinges(values)
    skew = 0.0
    if q3 - q1 >= 10 and q2 != q1 and q2 != q3:
        skew = (q1 + q3 - 2 * q2) / (q3 - q1)
    bowley = 1 - abs(skew)
    med = statistics.median(values)
    mad = statistics.median([abs(x - med) for x in values])
    madm = (med - mad) / med if med >= 1 else mad_default
    if madm < 0:
        madm = 0.0
    return r3((bowley + madm) / 2)


def score(case):
    start, end = case["start"], case["end"]
    ts = sorted(case["ts"])
    gaps = [b - a for a, b in zip(ts, ts[1:]) if b - a > 0]
    t_score = stat_score(gaps, 1) if len(ts) >= 4 and len(gaps) >= 3 else 0.0
    d_score = stat_score(case["bytes"], 0) if len(case["bytes"]) >= 3 else 0.0

    nbins = case.get("bins", 24)
    width = (end - start) / nbins
    hist = [0] * nbins
    for t in ts:
        i = min(int((t - start) // width), nbins - 1)
        hist[i] += 1
    mean = sum(hist) / nbins
    sd = math.sqrt(sum((h - mean) ** 2 for h in hist) / nbins)
    cv = sd / mean
    cv_score = 0.0 if cv > 1 else min(1.0, r3(1 - cv))
    bars = [h for h in hist if h > 0]
    step = math.ceil(max(hist) * 0.05)
    modes = {}
    for h in bars:
        key = (h // step) * step
        modes[key] = modes.get(key, 0) + 1
    bimodal = 0.0
    if len(bars) >= 11:
        top = sorted(modes.values(), reverse=True) + [0]
        bimodal = min(1.0, r3((top[0] + top[1]) / max(len(bars) - 1, 1)))
    h_score = max(cv_score, bimodal)

    # longest run of non-empty hours, wrapping around the end of the day
    longest = 0
    if all(h > 0 for h in hist):
        longest = nbins
    else:
        doubled = hist + hist
        run = 0
        for h in doubled:
            run = run + 1 if h > 0 else 0
            longest = max(longest, run)
        longest = min(longest, nbins)
    dur = 0.0
    if len(bars) >= 6:
        coverage = min(1.0, math.ceil((ts[-1] - ts[0]) / (end - start) * 1000) / 1000)
        consistency = min(1.0, math.ceil(longest / 12 * 1000) / 1000)
        dur = max(coverage, consistency)
    total = r3(0.25 * t_score + 0.25 * d_score + 0.25 * dur + 0.25 * h_score)
    return {"timestamp": t_score, "dataSize": d_score, "histogram": h_score, "duration": dur, "score": total}


if __name__ == "__main__":
    print(json.dumps([score(c) for c in json.load(sys.stdin)]))
