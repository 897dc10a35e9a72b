#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (fuzz/corpus/<target>/), ADR 0016.

Seeds are the response bodies of the recorded exchanges in ../shared/fixtures (scrubbed,
no secrets), the webhook payloads, small exchange files, hand-written CSV files and a
vault file sealed with the fuzz key (32 bytes of 0x07, `VAULT_FUZZ_KEY`; needs the
`cryptography` package). Files over MAX_SEED bytes are left out so the corpora stay small.

    python3 fuzz/make-seeds.py [FIXTURES_DIR]
"""
import base64
import json
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent
FIXTURES = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent.parent / "shared" / "fixtures")
if not FIXTURES.is_dir():
    FIXTURES = ROOT.parent.parent.parent / "shared" / "fixtures"
CORPUS = ROOT / "corpus"
MAX_SEED = 16 * 1024
PLATFORMS = ["x", "facebook", "instagram", "whatsapp", "threads", "tiktok", "youtube", "reddit", "linkedin", "bluesky"]


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    if len(data) > MAX_SEED:
        return
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def body_of(exchange):
    resp = exchange.get("response", {})
    if "body_text" in resp and resp["body_text"] is not None:
        return resp["body_text"]
    body = resp.get("body")
    return None if body is None else json.dumps(body, separators=(",", ":"))


for platform in PLATFORMS:
    for f in sorted((FIXTURES / platform).glob("*.json")):
        doc = json.loads(f.read_text())
        stem = f.name[: -len(".json")]
        if f.name.endswith(".webhook.json"):
            write("meta_webhook", stem, json.dumps(doc["webhook"], separators=(",", ":")))
            write("whatsapp", stem, json.dumps(doc["webhook"], separators=(",", ":")))
            continue
        body = body_of(doc)
        if body is not None:
            write(platform, stem, body)
        if len(f.read_bytes()) <= 4096:
            write("replay_exchange", f"{platform}__{stem}", f.read_bytes())

# Instagram webhook deliveries (comments, mentions) as `parse_meta` reads them.
write("meta_webhook", "instagram-comments", json.dumps({"object": "instagram", "entry": [{"id": "17841400000000001", "time": 1795694400, "changes": [{"field": "comments", "value": {"id": "17865799348089039", "text": "nice", "media": {"id": "17887498072083520", "media_product_type": "FEED"}, "from": {"id": "232323", "username": "someone"}, "parent_id": "17865799348089000"}}]}]}))
write("meta_webhook", "instagram-mentions", json.dumps({"object": "instagram", "entry": [{"id": "17841400000000001", "time": "1795694400000", "changes": [{"field": "mentions", "value": {"comment_id": "17894227972186120", "media_id": "17918195224117851"}}]}]}))
write("meta_webhook", "signature-line", "sha256=" + "0" * 64 + "\n{\"object\":\"page\",\"entry\":[]}")

# Campaign CSV files (costs and conversions; comma, semicolon and tab; BOM; CRLF).
csv = {
    "costs-comma": "date,amount,currency,note,platform,account\n2026-11-02,12.50,EUR,boost,x,@brand\n2026-11-03,7,,,instagram,influencer\n2026-11-03,7,,,instagram,influencer\n",
    "costs-semicolon-decimal-comma": "\ufeffDate;Amount;Currency;Note\r\n2026-11-02;1234,50;BRL;impulsionamento\r\n\r\n2026-11-05T10:00:00-03:00;0,99;;\r\n",
    "costs-bad-lines": "date,amount,account\nnot-a-date,-3,@nobody\n2026-13-40,1e999,\n\"2026-11-02\",\"12\"\"5\",1\n",
    "conversions-utm": "date\tcount\trevenue\tcurrency\tsource\tutm_campaign\tutm_source\tutm_medium\tplatform\taccount\n2026-11-02\t3\t89.70\tEUR\tshopify\tblack-friday\tinstagram\tsocial\tinstagram\t2\n2026-11-04\t\t\t\tsite\t\t\t\t\t\n",
    "conversions-header-only": "date,count,count,extra column\n",
}
for name, text in csv.items():
    write("campaign_csv", name, text)

# A vault file sealed with the fuzz key, one entry (fake secret).
try:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = bytes([7]) * 32
    aes = AESGCM(key)

    def sealed(nonce, plain, aad):
        return {"nonce": base64.b64encode(nonce).decode(), "ciphertext": base64.b64encode(aes.encrypt(nonce, plain, aad)).decode()}

    vault = {
        "version": 1,
        "kdf": {"algorithm": "argon2id", "m_cost": 19456, "t_cost": 2, "p_cost": 1},
        "salt": base64.b64encode(bytes(range(16))).decode(),
        "check": sealed(bytes([1]) * 12, b"alcance-vault-check", b"alcance-vault/v1/check"),
        "entries": {
            "token/x/1": sealed(bytes([2]) * 12, b"fuzz-not-a-secret", b"alcance-vault/v1/entry/token/x/1"),
            "token/x/2": sealed(bytes([3]) * 12, b"\xff\xfe", b"alcance-vault/v1/entry/token/x/2"),
        },
    }
    write("vault_file", "sealed-with-fuzz-key", json.dumps(vault, indent=2))
    vault["version"] = 2
    write("vault_file", "version-2", json.dumps(vault))
except ImportError:
    print("cryptography missing: vault_file seeds not written", file=sys.stderr)

# The campaign PDF's pictures (pdf_picture): small images of the four formats it decodes,
# drawn by ImageMagick (`convert-im6.q16`, Debian's `imagemagick`) and `cwebp` (`webp`).
# Skipped, with a message, where they are not installed.
import shutil
import subprocess
import tempfile

IM = shutil.which("convert-im6.q16") or shutil.which("magick")
CWEBP = shutil.which("cwebp")
if IM and CWEBP:
    G = ["-size", "16x12", "gradient:red-blue"]
    IMAGES = {
        "rgb.png": G + ["png24:{out}"],
        "rgba.png": G + ["-alpha", "set", "-channel", "A", "-evaluate", "set", "50%", "png32:{out}"],
        "palette.png": G + ["-colors", "8", "png8:{out}"],
        "gray.png": ["-size", "16x12", "gradient:", "-colorspace", "Gray", "{out}"],
        "interlaced.png": G + ["-interlace", "PNG", "{out}"],
        "baseline.jpg": G + ["-quality", "80", "{out}"],
        "progressive.jpg": G + ["-interlace", "JPEG", "{out}"],
        "gray.jpg": ["-size", "16x12", "gradient:", "-colorspace", "Gray", "{out}"],
        "static.gif": G + ["{out}"],
        "anim.gif": ["-size", "16x12", "xc:red", "-size", "16x12", "xc:blue", "-delay", "10", "-loop", "0", "{out}"],
        "transparent.gif": ["-size", "16x12", "xc:none", "-fill", "red", "-draw", "rectangle 2,2 10,8", "{out}"],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in IMAGES.items():
            out = os.path.join(tmp, name)
            subprocess.run([IM] + [a.replace("{out}", out) for a in args], check=True)
            write("pdf_picture", name, pathlib.Path(out).read_bytes())
        for name, src, opts in [("lossy.webp", "rgb.png", ["-q", "75"]), ("lossless.webp", "rgb.png", ["-lossless"]),
                                ("alpha.webp", "rgba.png", ["-q", "75", "-alpha_q", "80"])]:
            out = os.path.join(tmp, name)
            subprocess.run([CWEBP, "-quiet"] + opts + [os.path.join(tmp, src), "-o", out], check=True)
            write("pdf_picture", name, pathlib.Path(out).read_bytes())
else:
    print("ImageMagick or cwebp missing: pdf_picture seeds not written", file=sys.stderr)

for t in sorted(p.name for p in CORPUS.iterdir()):
    files = list((CORPUS / t).iterdir())
    print(f"{t}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")
