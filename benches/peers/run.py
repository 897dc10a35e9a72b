"""Peers side by side, one run: Alcance's collector and three Python collectors against the
same seeded sandbox, the same accounts, the same window (issue 16 point 6).

Started by run.sh (which makes the virtualenv, builds `alcance` and starts the sandbox); reads
its settings from the environment: PEERS_BASE (the sandbox, http://127.0.0.1:PORT),
PEERS_ALCANCE (the release binary), PEERS_WORK (a scratch folder), PEERS_SINCE (UTC day the
window starts), PEERS_REPS (runs of each tool), PEERS_SG_DIR (the Singer tap's shared
config and catalog), PEERS_TAP (the tap's executable).

Every tool is a child process measured by `os.wait4`: wall time, CPU seconds (user + sys)
and peak RSS of that process. Records are one metric value of one object, counted per tool
as its output allows (see the table's footnotes). Tokens are the sandbox's own, issued by
its OAuth endpoints on 127.0.0.1; nothing here talks to anything else.
"""

import base64
import hashlib
import json
import os
import re
import secrets
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone

BASE = os.environ["PEERS_BASE"].rstrip("/")
ALCANCE = os.environ["PEERS_ALCANCE"]
WORK = os.environ["PEERS_WORK"]
SINCE = os.environ["PEERS_SINCE"]
REPS = int(os.environ.get("PEERS_REPS", "5"))
SG_DIR = os.environ["PEERS_SG_DIR"]
TAP = os.environ["PEERS_TAP"]
HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable

SINCE_DT = datetime.strptime(SINCE, "%Y-%m-%d").replace(tzinfo=timezone.utc)
SINCE_UNIX = int(SINCE_DT.timestamp())
SINCE_RFC3339 = SINCE_DT.strftime("%Y-%m-%dT%H:%M:%SZ")
CALLBACK = "http://127.0.0.1:9/callback"  # never opened: the code is read off the redirect


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def location(url: str) -> str:
    """The Location of a 302 answer to GET url (the sandbox's authorize step)."""
    try:
        OPENER.open(url, timeout=30)
    except urllib.error.HTTPError as e:
        if e.code in (301, 302, 303, 307):
            return e.headers["Location"]
        raise
    raise RuntimeError(f"no redirect from {url}")


def code_from(url: str) -> str:
    query = urllib.parse.parse_qs(urllib.parse.urlparse(url).query)
    return query["code"][0]


def post_form(url: str, form: dict) -> dict:
    body = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=30) as r:
        return json.loads(r.read())


def x_token() -> str:
    """An X user token from the sandbox: authorization code + PKCE (S256)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": "peers-bench", "redirect_uri": CALLBACK,
        "scope": "tweet.read users.read", "state": "s", "code_challenge": challenge,
        "code_challenge_method": "S256",
    })
    code = code_from(location(f"{BASE}/i/oauth2/authorize?{query}"))
    answer = post_form(f"{BASE}/2/oauth2/token", {
        "grant_type": "authorization_code", "client_id": "peers-bench", "code": code,
        "redirect_uri": CALLBACK, "code_verifier": verifier,
    })
    return answer["access_token"]


def ig_token() -> str:
    """An Instagram Login token from the sandbox (authorization code, short-lived)."""
    query = urllib.parse.urlencode({
        "response_type": "code", "client_id": "peers-bench", "redirect_uri": CALLBACK,
        "scope": "instagram_business_basic,instagram_business_manage_insights", "state": "s",
    })
    code = code_from(location(f"{BASE}/oauth/authorize?{query}"))
    answer = post_form(f"{BASE}/oauth/access_token", {
        "grant_type": "authorization_code", "client_id": "peers-bench",
        "client_secret": "peers-bench-secret", "code": code, "redirect_uri": CALLBACK,
    })
    return answer["access_token"]


def manifest() -> dict:
    with urllib.request.urlopen(f"{BASE}/__alcance/accounts", timeout=30) as r:
        accounts = json.loads(r.read())["accounts"]
    return {a["platform"]: a for a in accounts if a["owned"]}


def alcance_env(workspace: str) -> dict:
    env = dict(os.environ)
    env.update({
        "ALCANCE_WORKSPACE": workspace,
        "ALCANCE_SANDBOX_URL": BASE + "/",
        # The workspace's vault file is sealed with this throwaway passphrase (no keychain).
        "ALCANCE_VAULT_PASSPHRASE": "peers-bench-vault",
        "ALCANCE_CLIENT_SECRET": "peers-bench-secret",
        "RUST_LOG": "error",
    })
    return env


def alcance_connect(workspace: str, platform: str) -> None:
    """`alcance connect PLATFORM`, answering its authorize page as a browser would."""
    proc = subprocess.Popen(
        [ALCANCE, "connect", platform, "--client-id", "peers-bench", "--port", "0"],
        env=alcance_env(workspace), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("http"):
            callback = location(line.strip())
            with urllib.request.urlopen(callback, timeout=30) as r:
                r.read()
            break
    out, err = proc.communicate(timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"alcance connect {platform} failed: {err.strip()}")


def measure(argv: list, env: dict, stdout_path: str) -> dict:
    """Runs argv as a child; its wall time, CPU (user + sys) and peak RSS from wait4."""
    # stderr goes to a file too: a pipe nobody reads until the end could fill and stall it.
    with open(stdout_path, "w") as out, open(stdout_path + ".err", "w+") as errors:
        start = time.monotonic()
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        errors.seek(0)
        err = errors.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited {proc.returncode}: {err[-2000:]}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mib": usage.ru_maxrss / 1024.0,  # Linux: kB
        "stderr": err,
    }


def run_alcance(platform: str, handle: str, rep: int) -> dict:
    workspace = os.path.join(WORK, f"ws-{platform}-{rep}")
    alcance_connect(workspace, platform)
    out = os.path.join(WORK, f"alcance-{platform}-{rep}.txt")
    m = measure(
        [ALCANCE, "collect", "--now", "--account", f"{platform}:@{handle}", "--since", SINCE],
        alcance_env(workspace), out,
    )
    text = open(out).read()
    found = re.search(r"Run \d+: (\w+) .* ([\d,]+) metric value", text)
    if not found or found.group(1) != "ok":
        raise RuntimeError(f"alcance collect {platform}: {text[-1500:]}")
    m["records"] = int(found.group(2).replace(",", ""))
    # The summary table's row: … ┆ ok ┆ <metric values> ┆ <posts> ┆ <gaps> │
    posts = re.search(r"┆\s*ok\s*┆\s*[\d,]+\s*┆\s*([\d,]+)\s*┆\s*\d+\s*│", text)
    m["posts"] = int(posts.group(1).replace(",", "")) if posts else None
    # Every exchange of the run is archived (token-scrubbed, compressed): the requests it made.
    db = sqlite3.connect(os.path.join(workspace, "alcance.db"))
    try:
        m["requests"] = db.execute("SELECT COUNT(*) FROM raw_responses WHERE run_id IS NOT NULL").fetchone()[0]
    finally:
        db.close()
    return m


def run_json_peer(script: str, args: list, env_extra: dict, tag: str) -> dict:
    env = dict(os.environ)
    env.update(env_extra)
    out = os.path.join(WORK, f"{tag}.json")
    m = measure([PY, os.path.join(HERE, script), *args], env, out)
    m.update(json.loads(open(out).read().strip().splitlines()[-1]))
    return m


def run_singer(ig_user_id: str, token: str, since: str, tag: str) -> dict:
    with open(os.path.join(SG_DIR, "sg_config.json")) as f:
        config = json.load(f)
    config.update({
        "ig_user_id": ig_user_id, "access_token": token, "start_date": since + "T00:00:00Z",
        "media_since": since,
    })
    config_path = os.path.join(WORK, "sg_config.json")
    with open(config_path, "w") as f:
        json.dump(config, f)
    out = os.path.join(WORK, f"{tag}.jsonl")
    m = measure([TAP, "--config", config_path, "--catalog", os.path.join(SG_DIR, "sg_catalog.json")],
                dict(os.environ), out)
    records = posts = 0
    with open(out) as f:
        for line in f:
            msg = json.loads(line)
            if msg.get("type") == "RECORD":
                raw = msg["record"].get("raw_data") or {}
                posts += 1
                # One record = one metric value: like_count and comments_count per RECORD line.
                records += sum(1 for k in ("like_count", "comments_count") if k in raw)
    # The Meltano SDK logs its request counter (METRIC lines on stderr).
    counts = re.findall(r'"metric":\s*"http_request_count",\s*"value":\s*(\d+)', m["stderr"])
    m.update({"records": records, "posts": posts, "requests": sum(map(int, counts)) if counts else None})
    return m


def startup(tool: str) -> dict:
    """What starting the tool costs with no collection: `alcance --version`, the Python
    interpreter importing the client, the tap printing `--about`."""
    argv = {
        "Alcance": [ALCANCE, "--version"],
        "python-twitter-v2": [PY, "-c", "import pytwitter"],
        "python-facebook-api": [PY, "-c", "import pyfacebook"],
        "Singer tap-instagram-user": [TAP, "--about"],
    }[tool]
    runs = [measure(argv, dict(os.environ), os.path.join(WORK, "startup.txt")) for _ in range(3)]
    return {"wall": median(runs, "wall"), "cpu": median(runs, "cpu"), "rss_mib": median(runs, "rss_mib")}


def median(runs: list, key: str):
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def main() -> None:
    owned = manifest()
    x_id, x_handle = owned["x"]["external_id"], owned["x"]["username"]
    ig_id, ig_handle = owned["instagram"]["external_id"], owned["instagram"]["username"]
    whole = "2024-01-01"  # the seeded history's first day
    whole_dt = datetime(2024, 1, 1, tzinfo=timezone.utc)
    tools = {
        ("X", "Alcance"): lambda rep: run_alcance("x", x_handle, rep),
        ("X", "python-twitter-v2"): lambda rep: run_json_peer(
            "x_pytwitter.py", [BASE, x_id, SINCE_RFC3339], {"PEER_X_TOKEN": x_token()}, f"pytwitter-{rep}"),
        ("Instagram", "Alcance"): lambda rep: run_alcance("instagram", ig_handle, rep),
        ("Instagram", "Singer tap-instagram-user"): lambda rep: run_singer(ig_id, ig_token(), SINCE, f"singer-{rep}"),
        ("Instagram", "python-facebook-api"): lambda rep: run_json_peer(
            "ig_pyfacebook.py", [BASE, ig_id, str(SINCE_UNIX)], {"PEER_IG_TOKEN": ig_token()}, f"pyfacebook-{rep}"),
        # The peers again over the account's whole history, where Alcance's page caps (40
        # pages a listing) do not let it follow: enough records to see past their start-up.
        ("X", "python-twitter-v2, whole history"): lambda rep: run_json_peer(
            "x_pytwitter.py", [BASE, x_id, whole_dt.strftime("%Y-%m-%dT%H:%M:%SZ")], {"PEER_X_TOKEN": x_token()},
            f"pytwitter-all-{rep}"),
        ("Instagram", "Singer tap-instagram-user, whole history"): lambda rep: run_singer(
            ig_id, ig_token(), whole, f"singer-all-{rep}"),
        ("Instagram", "python-facebook-api, whole history"): lambda rep: run_json_peer(
            "ig_pyfacebook.py", [BASE, ig_id, str(int(whole_dt.timestamp()))], {"PEER_IG_TOKEN": ig_token()},
            f"pyfacebook-all-{rep}"),
    }
    results = {k: [] for k in tools}
    for rep in range(REPS):
        # Interleaved, so that every tool sees the same machine load.
        for key, run in tools.items():
            r = run(rep)
            results[key].append(r)
            print(f"  run {rep + 1}/{REPS} {key[0]:9} {key[1]:42} {r['records']:>8} records "
                  f"{r['wall']:7.2f} s wall {r['cpu']:7.2f} s CPU {r['rss_mib']:7.1f} MiB", file=sys.stderr)
    rows = []
    for (platform, tool), runs in results.items():
        records = median(runs, "records")
        wall, cpu, rss = median(runs, "wall"), median(runs, "cpu"), median(runs, "rss_mib")
        rows.append({
            "platform": platform, "tool": tool, "records": records, "posts": median(runs, "posts"),
            "requests": median(runs, "requests"),
            "wall": wall, "rate": records / wall, "cpu100k": cpu / records * 100_000, "rss": rss,
            "walls": [r["wall"] for r in runs], "rss_all": [r["rss_mib"] for r in runs],
        })
    alcance = {r["platform"]: r for r in rows if r["tool"] == "Alcance"}
    starts = {tool: startup(tool) for tool in sorted({r["tool"].split(",")[0] for r in rows})}
    print(f"Window: posts published since {SINCE} (UTC; \"whole history\": since {whole}); "
          f"{REPS} run(s) of each tool, medians; "
          f"sandbox {BASE}.")
    print()
    print("| platform | tool | requests | posts | records | wall s | records/s | CPU s per 100,000 records | peak RSS MiB "
          "| Alcance's records/s ÷ tool's | tool's CPU per record ÷ Alcance's | tool's peak RSS ÷ Alcance's |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        a = alcance[r["platform"]]
        posts = "—" if r["posts"] is None else f"{r['posts']:,.0f}"
        requests = "—" if r["requests"] is None else f"{r['requests']:,.0f}"
        print(f"| {r['platform']} | {r['tool']} | {requests} | {posts} | {r['records']:,.0f} | {r['wall']:.2f} "
              f"| {r['rate']:,.0f} | {r['cpu100k']:.2f} | {r['rss']:.1f} | {a['rate'] / r['rate']:.2f} "
              f"| {r['cpu100k'] / a['cpu100k']:.2f} | {r['rss'] / a['rss']:.2f} |")
    print()
    print("| tool | start-up alone: wall s | CPU s | peak RSS MiB |")
    print("|---|---:|---:|---:|")
    for tool, st in starts.items():
        print(f"| {tool} | {st['wall']:.2f} | {st['cpu']:.2f} | {st['rss_mib']:.1f} |")
    print()
    print("Every run, wall s / peak RSS MiB: " + "; ".join(
        f"{r['platform']} {r['tool']} " + ", ".join(f"{w:.2f}/{m:.0f}" for w, m in zip(r["walls"], r["rss_all"]))
        for r in rows))


if __name__ == "__main__":
    main()
