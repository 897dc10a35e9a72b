//! glibc's allocator, tuned for a process that peaks and then idles (issue 16, ADR 0020).
//!
//! glibc's malloc gives every thread that meets a locked arena an arena of its own (up to
//! 8 per core), and raises its trim threshold each time a large block (over 128 KiB at
//! first) is freed, up to 64 MiB: after one 2 MiB picture or chart buffer, an arena keeps
//! up to 4 MiB of freed memory at its top instead of returning it. Measured on
//! `alcance demo` (release, docs/PERFORMANCE.md): peak RSS 128 MB with glibc's defaults,
//! 87 MB with the trim threshold fixed at 128 KiB, 77 MB with that and two arenas, for the
//! same CPU time; the live heap never passes 36 MB.
//!
//! [`tune`] fixes both at the start of `main`, before any thread starts; [`release_free_memory`]
//! hands every arena's free pages back (`malloc_trim`), for the tray after its window
//! closed or a collection ended. Anything set in glibc's own environment variables
//! (`MALLOC_ARENA_MAX`, `MALLOC_TRIM_THRESHOLD_`, `GLIBC_TUNABLES`) wins over [`tune`].
//! Elsewhere than Linux with glibc (musl, macOS, Windows) both are no-ops: those allocators
//! do not hold memory this way.
//!
//! This crate is the workspace's one use of `unsafe`: two FFI calls with no caller-side
//! invariant, each marked.

/// The trim threshold [`tune`] sets, in bytes: glibc's own starting value (`M_TRIM_THRESHOLD`,
/// 128 KiB), kept from growing.
pub const TRIM_THRESHOLD_BYTES: i32 = 128 * 1024;

/// The most arenas [`tune`] allows (`M_ARENA_MAX`): the main one and one more for the
/// worker threads. One arena measured 10 % more CPU on the demo than two.
pub const ARENA_MAX: i32 = 2;

/// glibc's environment variables that tune malloc: when one is set, [`tune`] leaves the
/// allocator as the environment says.
pub const GLIBC_VARIABLES: [&str; 3] = ["MALLOC_ARENA_MAX", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"];

/// What [`tune`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tuning {
    /// The trim threshold and the arena count are [`TRIM_THRESHOLD_BYTES`] and [`ARENA_MAX`].
    Applied,
    /// One of [`GLIBC_VARIABLES`] is set: the environment's settings stand.
    LeftToEnvironment,
    /// glibc refused a setting (`mallopt` returned 0); the defaults stand.
    Refused,
    /// Not glibc: nothing to tune.
    Unsupported,
}

/// Fixes glibc's trim threshold at [`TRIM_THRESHOLD_BYTES`] and its arenas at [`ARENA_MAX`],
/// unless the environment already tunes malloc (see [`GLIBC_VARIABLES`]). Call it first in
/// `main`, before any thread starts: arenas made before it are kept.
pub fn tune() -> Tuning {
    if GLIBC_VARIABLES.iter().any(|v| std::env::var_os(v).is_some()) {
        return Tuning::LeftToEnvironment;
    }
    glibc::tune()
}

/// Hands the free memory of every arena back to the system (`malloc_trim(0)`); returns
/// whether any was. It walks and locks each arena in turn, so call it where the process
/// is quiet (a window closed, a collection ended), not in a hot path. A no-op returning
/// `false` off glibc.
pub fn release_free_memory() -> bool {
    glibc::release()
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    use super::{Tuning, ARENA_MAX, TRIM_THRESHOLD_BYTES};

    pub fn tune() -> Tuning {
        #[expect(unsafe_code, reason = "mallopt: glibc FFI")]
        // SAFETY: mallopt takes two integers and only changes malloc's parameters; it has
        // no caller-side invariant and takes the arena lock itself.
        let ok = unsafe {
            libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) == 1
                && libc::mallopt(libc::M_ARENA_MAX, ARENA_MAX) == 1
        };
        if ok {
            Tuning::Applied
        } else {
            Tuning::Refused
        }
    }

    pub fn release() -> bool {
        #[expect(unsafe_code, reason = "malloc_trim: glibc FFI")]
        // SAFETY: malloc_trim takes a byte count and returns free pages; it has no
        // caller-side invariant and locks each arena itself.
        let released = unsafe { libc::malloc_trim(0) };
        released == 1
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod glibc {
    use super::Tuning;

    pub fn tune() -> Tuning {
        Tuning::Unsupported
    }

    pub fn release() -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuning_applies_on_glibc_unless_the_environment_tunes_malloc() {
        let tuned = tune();
        if GLIBC_VARIABLES.iter().any(|v| std::env::var_os(v).is_some()) {
            assert_eq!(tuned, Tuning::LeftToEnvironment);
        } else if cfg!(all(target_os = "linux", target_env = "gnu")) {
            assert_eq!(tuned, Tuning::Applied);
        } else {
            assert_eq!(tuned, Tuning::Unsupported);
        }
    }

    #[test]
    fn freed_memory_is_released_on_glibc() {
        // Many small blocks (below the mmap threshold) freed but for the last: their pages
        // sit free inside the arena until malloc_trim hands them back.
        let mut blocks: Vec<Vec<u8>> = (0..4096).map(|i| vec![i as u8; 4000]).collect();
        let last = blocks.pop();
        drop(blocks);
        let released = release_free_memory();
        assert_eq!(released, cfg!(all(target_os = "linux", target_env = "gnu")));
        assert_eq!(last.map(|b| b.len()), Some(4000));
    }
}
