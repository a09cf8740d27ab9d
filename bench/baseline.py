"""The Python/pandas way: the job netlog replaces, written as the original morning script did it.

One query per table per day with elasticsearch-py (composite pages followed with after_key), a
recursive flatten of the nested aggregation response into rows, a pandas DataFrame, keyed hashing
with hmac/hashlib, domain reduction by the public suffix list (tldextract's bundled snapshot, no
download), drop_duplicates, a groupby-sum to merge the keys that collapsed, and to_csv. Sequential,
like the original.

The request bodies are the ones netlog sends (bench/bench.ts checks that against netlog's own query
builder before measuring). The tables come from the same config file netlog reads.

Usage:
  baseline.py --es URL --config FILE --from DAY --to DAY --out DIR [--timings FILE]
  baseline.py --config FILE --dump-queries DAY        # the first request body per table, as JSON
Environment: NETLOG_HASH_KEY (the same key netlog uses).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import os
import sys
import time
from urllib.parse import urlsplit

import pandas as pd
import tldextract
from elasticsearch import Elasticsearch

BUCKET = "15m"
TIME_AGG = "time"
ROWS_AGG = "rows"

# The bundled public suffix list snapshot only (no fetch at run time), ICANN section only.
EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False)


# --- the request bodies ------------------------------------------------------------------------


def day_bounds(day: str) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.fromisoformat(day).replace(tzinfo=dt.timezone.utc)
    return start, start + dt.timedelta(days=1)


def iso_ms(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def filter_clause(f: dict, networks: list[str]) -> dict:
    if "internal" in f:
        return {"terms": {f["internal"]: list(networks)}}
    if "external" in f:
        field = f["external"]
        return {"bool": {"filter": [{"exists": {"field": field}}], "must_not": [{"terms": {field: list(networks)}}]}}
    if "term" in f:
        return {"term": {f["term"]["field"]: f["term"]["value"]}}
    if "terms" in f:
        return {"terms": {f["terms"]["field"]: f["terms"]["values"]}}
    if "exists" in f:
        return {"exists": {"field": f["exists"]}}
    if "missing" in f:
        return {"bool": {"must_not": [{"exists": {"field": f["missing"]}}]}}
    return f["raw"]


def metric_aggs(table: dict) -> dict:
    return {m["name"]: {m["type"]: {"field": m["field"]}} for m in table["metrics"] if m["type"] != "count"}


def source_name(level: int, field: int) -> str:
    return f"l{level}f{field}"


# The original job's composite page: es.page_size when the config fixes one; with netlog's `auto` (it
# sizes its pages for the answers, and shares requests between tables), the page of the request bodies
# netlog sent before its query planner, which this baseline keeps sending (bench/es-floor.ts --plan per-table).
BASELINE_PAGE_SIZE = 5000


def page_size(config: dict) -> int:
    size = config["es"].get("page_size", "auto")
    return BASELINE_PAGE_SIZE if size == "auto" else int(size)


def build_query(table: dict, day: str, config: dict, after: dict | None = None) -> dict:
    start, end = day_bounds(day)
    time_range = {"gte": iso_ms(start), "lt": iso_ms(end), "format": "strict_date_optional_time"}
    filters = [{"range": {table["time_field"]: time_range}}]
    filters += [filter_clause(f, config["internal_networks"]) for f in table["filters"]]
    body: dict = {"size": 0, "track_total_hits": True, "query": {"bool": {"filter": filters}}}
    metrics = metric_aggs(table)
    if not table["levels"]:
        bounds = {"min": int(start.timestamp() * 1000), "max": int(end.timestamp() * 1000) - 1}
        histogram: dict = {
            "date_histogram": {
                "field": table["time_field"],
                "fixed_interval": BUCKET,
                "min_doc_count": 0,
                "extended_bounds": bounds,
            }
        }
        if metrics:
            histogram["aggs"] = metrics
        body["aggs"] = {TIME_AGG: histogram}
        return body
    sources = [{TIME_AGG: {"date_histogram": {"field": table["time_field"], "fixed_interval": BUCKET}}}]
    for li, level in enumerate(table["levels"]):
        for fi, field in enumerate(level["fields"]):
            sources.append({source_name(li, fi): {"terms": {"field": field, "missing_bucket": True}}})
    composite: dict = {"size": page_size(config), "sources": sources}
    if after is not None:
        composite["after"] = after
    rows: dict = {"composite": composite}
    if metrics:
        rows["aggs"] = metrics
    body["aggs"] = {ROWS_AGG: rows}
    return body


# --- flatten: the nested aggregation response → rows ------------------------------------------


def flatten(aggs: dict, row: dict | None = None) -> list[dict]:
    """Walks every bucket aggregation recursively; a leaf bucket becomes one flat row.

    A bucket's key (a dict for a composite page) goes into the row under the aggregation's name,
    its doc_count and metric values (`{"value": ...}`) beside it.
    """
    out: list[dict] = []
    for name, agg in aggs.items():
        if not isinstance(agg, dict) or "buckets" not in agg:
            continue
        for bucket in agg["buckets"]:
            r = dict(row or {})
            key = bucket["key"]
            if isinstance(key, dict):
                r.update(key)
            else:
                r[name] = key
            children = flatten(bucket, r)
            if children:
                out.extend(children)
                continue
            r["doc_count"] = bucket["doc_count"]
            for metric, value in bucket.items():
                if isinstance(value, dict) and "value" in value:
                    r[metric] = value["value"]
            out.append(r)
    return out


# --- transforms --------------------------------------------------------------------------------


def canonical_ip(text: str) -> str | None:
    """RFC 5952 text of an IP literal (IPv4-mapped IPv6 as IPv4), None when it is not one."""
    t = text.strip()
    if t.startswith("[") and t.endswith("]"):
        t = t[1:-1]
    if "%" in t and ":" in t:
        t = t[: t.index("%")]
    try:
        ip = ipaddress.ip_address(t)
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


def make_pseudonymise(key: bytes, length: int):
    def pseudonymise(value: str) -> str:
        canonical = canonical_ip(value) or value.strip()
        return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()[:length]

    return pseudonymise


def extract_host(value: str) -> str:
    v = value.strip()
    if "://" in v:
        try:
            v = urlsplit(v).hostname or ""
        except ValueError:
            v = v[v.index("://") + 3 :]
    else:
        for sep in "/?#":
            v = v.split(sep)[0]
    if v.startswith("["):
        v = v[1 : v.index("]")] if "]" in v else v[1:]
    elif v.count(":") == 1:
        v = v[: v.index(":")]
    return v.lower().rstrip(".")


def make_host_reducer(internal_domains: list[str], pseudonymise):
    """Internal names → short name, external → registrable domain, IP literals → pseudonym."""

    def reduce_host(value: str) -> str:
        host = extract_host(value)
        if canonical_ip(host) is not None:
            return pseudonymise(host)
        if host == "":
            return ""
        if "." not in host or any(host == s or host.endswith("." + s) for s in internal_domains):
            return host.split(".")[0]
        return EXTRACT(host).top_domain_under_public_suffix or host

    return reduce_host


def keep(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- one (table, day) --------------------------------------------------------------------------


def day_file(out: str, table: str, day: str) -> str:
    return os.path.join(out, table, day[:4], f"{day}.csv")


def load_table_day(es: Elasticsearch, table: dict, day: str, config: dict, out: str, transforms: dict) -> dict:
    started = time.perf_counter()
    metric_names = [m["name"] for m in table["metrics"]]
    took = requests = 0
    rows: list[dict] = []
    after = None
    while True:
        body = build_query(table, day, config, after)
        response = es.search(index=table["index"], allow_no_indices=False, ignore_unavailable=False, **body).body
        took += response["took"]
        requests += 1
        aggs = response["aggregations"]
        rows.extend(flatten(aggs))
        page = aggs.get(ROWS_AGG)
        if page is None or not page["buckets"] or "after_key" not in page:
            break
        after = page["after_key"]

    raw_columns = [source_name(li, fi) for li, level in enumerate(table["levels"]) for fi in range(len(level["fields"]))]
    df = pd.DataFrame(rows, columns=[TIME_AGG, *raw_columns, "doc_count", *metric_names])
    # The same bucket delivered twice (a page asked for again) counts once.
    df = df.drop_duplicates(subset=[TIME_AGG, *raw_columns])
    for m in table["metrics"]:
        if m["type"] == "count":
            df[m["name"]] = df["doc_count"]
        elif m["type"] == "sum":
            df[m["name"]] = df[m["name"]].fillna(0).astype("int64")
    key_columns = []
    for li, level in enumerate(table["levels"]):
        # The first of the level's fields that has a value, then the level's transform.
        candidates = df[[source_name(li, fi) for fi in range(len(level["fields"]))]]
        first = candidates.mask(candidates == "").bfill(axis=1).iloc[:, 0]
        transform = transforms[level["transform"]]
        df[level["column"]] = first.apply(lambda v: "" if pd.isna(v) else transform(v))
        key_columns.append(level["column"])
    if key_columns:
        # Rows whose keys collapsed (two subdomains of one domain, two addresses of one server) merge.
        df = df.groupby([TIME_AGG, *key_columns], as_index=False, sort=True)[metric_names].sum()
    df = df.sort_values([TIME_AGG, *key_columns], kind="stable")
    df.insert(0, "timestamp", pd.to_datetime(df[TIME_AGG], unit="ms", utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    df = df[["timestamp", *key_columns, *metric_names]]

    path = day_file(out, table["name"], day)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    df.to_csv(path, index=False, lineterminator="\n")
    return {
        "table": table["name"],
        "day": day,
        "rows": len(df),
        "requests": requests,
        "tookMs": took,
        "wallMs": round((time.perf_counter() - started) * 1000),
        **{m: int(df[m].sum()) for m in metric_names},
    }


def days_between(first: str, last: str) -> list[str]:
    d, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    out = []
    while d <= end:
        out.append(d.isoformat())
        d += dt.timedelta(days=1)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--es")
    p.add_argument("--config", required=True)
    p.add_argument("--from", dest="first")
    p.add_argument("--to", dest="last")
    p.add_argument("--out")
    p.add_argument("--timings")
    p.add_argument("--dump-queries", metavar="DAY")
    args = p.parse_args()
    with open(args.config) as f:
        config = json.load(f)
    tables = config["tables"]
    if args.dump_queries:
        json.dump({t["name"]: build_query(t, args.dump_queries, config) for t in tables}, sys.stdout)
        return 0
    if not (args.es and args.first and args.last and args.out):
        p.error("--es, --from, --to and --out are required")
    key = os.environ.get("NETLOG_HASH_KEY", "")
    if len(key) < 16:
        print("baseline: set NETLOG_HASH_KEY (at least 16 characters)", file=sys.stderr)
        return 2
    if config["pseudonym"]["algorithm"] != "hmac-sha256":
        print("baseline: only the hmac-sha256 pseudonyms are implemented", file=sys.stderr)
        return 2
    pseudonymise = make_pseudonymise(key.encode(), config["pseudonym"]["length"])
    transforms = {
        "ip": lambda v: pseudonymise(str(v)),
        "host": make_host_reducer(config["internal_domains"], pseudonymise),
        "keep": keep,
    }
    unknown = {lv["transform"] for t in tables for lv in t["levels"]} - transforms.keys()
    if unknown:
        print(f"baseline: transforms {sorted(unknown)} are not part of the built-in tables", file=sys.stderr)
        return 2
    es = Elasticsearch(args.es, request_timeout=300)
    timings = open(args.timings, "w") if args.timings else None
    try:
        for day in days_between(args.first, args.last):
            for table in tables:
                result = load_table_day(es, table, day, config, args.out, transforms)
                if timings:
                    timings.write(json.dumps(result) + "\n")
                    timings.flush()
    finally:
        if timings:
            timings.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
