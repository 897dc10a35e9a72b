//! The sandbox's post pictures (issue 13 point 3): small deterministic PNG files generated
//! in code, served at `/__alcance/img/<name>.png`, and the URL each seeded post's payload
//! names. A few names stand for what real CDNs do to Alcance:
//!
//! - `expired-<id>.png`: HTTP 403 (`URL signature expired`, as Meta's and TikTok's signed
//!   CDN URLs answer once past their expiry);
//! - `gone-<id>.png`: HTTP 404;
//! - `huge-<id>.png`: a valid PNG of about 2.1 MB (840 × 840, stored uncompressed), just over
//!   Alcance's 2 MiB cap.
//!
//! [`post_picture_url`] gives about one post in 20 an expiring URL and one in 97 an
//! oversized picture, by a hash of the post id, so the demo's workspace holds every case.

/// An FNV-1a hash of `name` (stable across runs and platforms).
fn hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The picture URL of seeded post `post_id` on sandbox `base` (no trailing slash):
/// `{base}/__alcance/img/{post_id}.png`, or its `expired-` / `huge-` variant (see the
/// module).
pub fn post_picture_url(base: &str, post_id: &str) -> String {
    let h = hash(post_id);
    let prefix = if h % 20 == 3 {
        "expired-"
    } else if h % 97 == 13 {
        "huge-"
    } else {
        ""
    };
    format!("{base}/__alcance/img/{prefix}{post_id}.png")
}

/// What `/__alcance/img/<name>.png` answers: `(status, content type, body)`.
pub fn serve(name: &str) -> (u16, &'static str, Vec<u8>) {
    if name.starts_with("expired-") {
        return (403, "text/plain", b"URL signature expired".to_vec());
    }
    if name.starts_with("gone-") {
        return (404, "text/plain", b"Not Found".to_vec());
    }
    if name.starts_with("huge-") {
        // 840 × 840 stored RGB: 2.1 MB, just over the media step's 2 MiB cap. Made per
        // request rather than kept: the demo asks for it a dozen times, and a picture
        // held for the process's life was 3 MB of the demo's peak (issue 16).
        return (200, "image/png", png(840, 840, 97));
    }
    (200, "image/png", png(48, 48, hash(name)))
}

/// A `w` × `h` RGB PNG: a diagonal two-colour pattern whose colours come from `seed`.
/// Stored (uncompressed) deflate blocks, so the size is about `3 × w × h` bytes.
pub fn png(w: u32, h: u32, seed: u64) -> Vec<u8> {
    let mixed = (seed ^ (seed >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let a = [
        (mixed >> 40) as u8 | 0x40,
        (mixed >> 48) as u8 | 0x20,
        (mixed >> 56) as u8 | 0x60,
    ];
    let b = [a[0] / 3, a[1] / 3, a[2] / 3];
    let mut raw = Vec::with_capacity((h * (1 + 3 * w)) as usize);
    for y in 0..h {
        raw.push(0); // filter: none
        for x in 0..w {
            let c = if ((x + y) / (w / 6).max(1)).is_multiple_of(2) {
                a
            } else {
                b
            };
            raw.extend_from_slice(&c);
        }
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// `data` as a zlib stream of stored deflate blocks (at most 65,535 bytes each).
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = if data.is_empty() {
        vec![&[][..]]
    } else {
        data.chunks(65_535).collect()
    };
    let last = blocks.len() - 1;
    for (i, block) in blocks.into_iter().enumerate() {
        out.push(u8::from(i == last));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut s1, mut s2) = (1u32, 0u32);
    for &byte in data {
        s1 = (s1 + u32::from(byte)) % 65_521;
        s2 = (s2 + s1) % 65_521;
    }
    out.extend_from_slice(&((s2 << 16) | s1).to_be_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pngs_are_valid_and_deterministic() {
        // The CRC of "IEND" is a constant of the format.
        let p = png(48, 48, 7);
        assert_eq!(&p[p.len() - 4..], &0xAE42_6082u32.to_be_bytes());
        assert_eq!(p, png(48, 48, 7));
        assert_ne!(p, png(48, 48, 8), "another seed, other colours");
        assert!(p.starts_with(b"\x89PNG\r\n\x1a\n") && p.len() < 8_000, "{}", p.len());
        let (status, ct, body) = serve("huge-1.png");
        assert_eq!((status, ct), (200, "image/png"));
        assert!(
            body.len() > 2 * 1024 * 1024,
            "over the media step's cap: {}",
            body.len()
        );
        assert_eq!(serve("expired-1.png").0, 403);
        assert_eq!(serve("gone-1.png").0, 404);
    }

    #[test]
    fn some_posts_expire_and_one_in_97_is_huge() {
        let urls: Vec<String> = (0..2000)
            .map(|i| post_picture_url("http://s", &i.to_string()))
            .collect();
        let expired = urls.iter().filter(|u| u.contains("/expired-")).count();
        let huge = urls.iter().filter(|u| u.contains("/huge-")).count();
        assert!((50..200).contains(&expired), "{expired}");
        assert!((5..50).contains(&huge), "{huge}");
    }
}
