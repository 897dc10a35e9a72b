//! [`RunControl`]: pause, resume, cancel or interrupt a run from another task (the tray,
//! the UI, Ctrl-C).
//!
//! A run looks at its control **between accounts**: before each account's turn. A cancel
//! or an interrupt also acts **between two requests** of the account being collected: no
//! further request is sent (the one in flight ends); on a cancel what arrived is stored as
//! a partial collection and the account is `skipped`, on an interrupt the account stays
//! `pending` for the resume. A pause lets the current account finish. (The run fetches the
//! next account while it writes the current one; when the control stops the run before the
//! next account's turn, that early fetch is dropped unwritten, and after a pause the
//! account is fetched again.)

use crate::limits::RunLimits;
use std::sync::Arc;
use tokio::sync::watch;

/// What a run's owner asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlState {
    /// Go on.
    Running,
    /// Stop before the next account and wait (the run is stored as `paused`) until
    /// [`RunControl::resume`], [`RunControl::cancel`] or [`RunControl::interrupt`].
    Paused,
    /// Stop before the next account; the remaining accounts are `skipped` and the run ends
    /// as `cancelled`. Final.
    Cancelled,
    /// Stop before the next account and return at once, leaving the run stored as `paused`
    /// with its remaining accounts `pending`, so [`crate::resume_run`] can continue it later
    /// (used when the app quits). Final for this call.
    Interrupted,
}

/// A handle on one run's control state, and the run's time limits ([`RunLimits`]). Cheap
/// to clone (an `Arc`); every clone controls the same run. A fresh control is
/// [`ControlState::Running`] with the default limits.
#[derive(Debug, Clone)]
pub struct RunControl {
    state: Arc<watch::Sender<ControlState>>,
    /// `true` once cancelled or interrupted: the HTTP layer sends no further request.
    stop: Arc<watch::Sender<bool>>,
    limits: RunLimits,
}

impl Default for RunControl {
    fn default() -> Self {
        Self::new()
    }
}

impl RunControl {
    /// A control in the [`ControlState::Running`] state.
    pub fn new() -> Self {
        let (state, _) = watch::channel(ControlState::Running);
        let (stop, _) = watch::channel(false);
        Self {
            state: Arc::new(state),
            stop: Arc::new(stop),
            limits: RunLimits::default(),
        }
    }

    /// This control with the run's time limits set to `limits` (account and run deadlines,
    /// the longest rate-limit wait).
    pub fn with_limits(mut self, limits: RunLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The run's time limits.
    pub fn limits(&self) -> RunLimits {
        self.limits
    }

    /// Asks the run to pause before its next account. No effect unless running.
    pub fn pause(&self) {
        self.transition(|s| (s == ControlState::Running).then_some(ControlState::Paused));
    }

    /// Lets a paused run go on. No effect unless paused.
    pub fn resume(&self) {
        self.transition(|s| (s == ControlState::Paused).then_some(ControlState::Running));
    }

    /// Cancels the run before its next account (a paused run too). Final.
    pub fn cancel(&self) {
        self.transition(|s| (s != ControlState::Cancelled).then_some(ControlState::Cancelled));
    }

    /// Stops the run before its next account, leaving it resumable (stored `paused`). No
    /// effect on a cancelled run.
    pub fn interrupt(&self) {
        self.transition(|s| {
            matches!(s, ControlState::Running | ControlState::Paused).then_some(ControlState::Interrupted)
        });
    }

    /// A signal that reads `true` once the run is cancelled or interrupted, for the HTTP
    /// layer to stop between two requests (`Recorder::for_collection`).
    pub fn stop_signal(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }

    /// The current state.
    pub fn state(&self) -> ControlState {
        *self.state.borrow()
    }

    /// `true` while paused.
    pub fn is_paused(&self) -> bool {
        self.state() == ControlState::Paused
    }

    /// Waits until the state is no longer [`ControlState::Paused`] and returns it.
    pub async fn wait_while_paused(&self) -> ControlState {
        let mut rx = self.state.subscribe();
        let state = match rx.wait_for(|s| *s != ControlState::Paused).await {
            Ok(state) => *state,
            // The sender lives in `self`, so the channel cannot close while we wait.
            Err(_) => self.state(),
        };
        state
    }

    fn transition(&self, next: impl Fn(ControlState) -> Option<ControlState>) {
        self.state.send_if_modified(|s| match next(*s) {
            Some(n) => {
                *s = n;
                true
            }
            None => false,
        });
        let stopped = matches!(self.state(), ControlState::Cancelled | ControlState::Interrupted);
        self.stop.send_if_modified(|s| {
            let changed = *s != stopped;
            *s = stopped;
            changed
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_follow_the_rules() {
        let c = RunControl::new();
        assert_eq!(c.state(), ControlState::Running);
        c.resume();
        assert_eq!(c.state(), ControlState::Running, "resume only acts on a pause");
        c.pause();
        assert!(c.is_paused());
        let clone = c.clone();
        clone.resume();
        assert_eq!(c.state(), ControlState::Running, "clones share the state");
        c.pause();
        c.interrupt();
        assert_eq!(c.state(), ControlState::Interrupted);
        c.pause();
        assert_eq!(c.state(), ControlState::Interrupted, "pause only acts on a running run");
        c.cancel();
        assert_eq!(c.state(), ControlState::Cancelled);
        c.interrupt();
        c.resume();
        assert_eq!(c.state(), ControlState::Cancelled, "cancel is final");
    }

    #[tokio::test]
    async fn waiting_while_paused_returns_on_resume_or_cancel() {
        let c = RunControl::new();
        assert_eq!(c.wait_while_paused().await, ControlState::Running);
        c.pause();
        let waiter = tokio::spawn({
            let c = c.clone();
            async move { c.wait_while_paused().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        c.cancel();
        assert_eq!(waiter.await.expect("join"), ControlState::Cancelled);
    }
}
