//! Identical reads in flight at the same time run once ("single flight").
//!
//! When 25 analysts open the dashboard in the same second, they ask the same question:
//! the KPI tiles of every account over the last 30 days. Each answer costs about a second
//! of the database at 1 year × 100 accounts (docs/PERFORMANCE.md, "The team server under
//! load"), so 25 copies of it hold the connection pool for 25 seconds and later requests
//! time out waiting for a connection. [`Coalesce::run`] lets the first request compute and
//! the others that arrive while it runs wait for its answer.
//!
//! Nothing is cached: once the answer is out, the next request computes again, so no
//! answer is older than the one computation it shared. A joiner's answer reflects the
//! store when the first request started (at most that computation's duration before the
//! joiner arrived), which a read at read-committed isolation allows anyway.
//!
//! The key must hold everything the answer depends on, the caller's visibility included
//! (the server keys on the filter already cut to the caller's accounts).

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::OnceCell;

/// One answer being computed, shared by every request with its key.
type Flight<V, E> = Arc<OnceCell<Result<V, E>>>;

/// Runs at most one computation per key at a time; the requests that arrive while it
/// runs get its result (`V` and `E` are cloned for each of them, so make them cheap:
/// an `Arc` of the answer).
pub struct Coalesce<K, V, E> {
    flights: Mutex<HashMap<K, Flight<V, E>>>,
}

impl<K, V, E> Default for Coalesce<K, V, E> {
    fn default() -> Self {
        Coalesce {
            flights: Mutex::new(HashMap::new()),
        }
    }
}

impl<K, V, E> std::fmt::Debug for Coalesce<K, V, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coalesce").finish_non_exhaustive()
    }
}

impl<K: Eq + Hash + Clone, V: Clone, E: Clone> Coalesce<K, V, E> {
    /// The result of `compute` for `key`, or of the computation for `key` already running.
    ///
    /// Cancellation-safe: when the request that computes is dropped (its client went
    /// away), one of the waiting requests starts its own `compute` (tokio's
    /// `OnceCell::get_or_init`); errors are shared like answers, and the next request
    /// after them computes again.
    pub async fn run<F, Fut>(&self, key: K, compute: F) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let flight = {
            let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
            flights.entry(key.clone()).or_default().clone()
        };
        let result = flight.get_or_init(compute).await.clone();
        // The flight is over: the next request computes again. Whoever gets here first
        // removes it (only if it is still this flight, not a newer one).
        let mut flights = self.flights.lock().unwrap_or_else(PoisonError::into_inner);
        if flights.get(&key).is_some_and(|f| Arc::ptr_eq(f, &flight)) {
            flights.remove(&key);
        }
        result
    }

    /// How many keys have a computation running or waiting to be removed (for tests).
    pub fn in_flight(&self) -> usize {
        self.flights.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn concurrent_requests_with_one_key_compute_once_and_share_the_answer() {
        let coalesce: Arc<Coalesce<&str, u32, String>> = Arc::default();
        let runs = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(tokio::sync::Notify::new());
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (coalesce, runs, gate) = (coalesce.clone(), runs.clone(), gate.clone());
            tasks.push(tokio::spawn(async move {
                coalesce
                    .run("kpis", || async move {
                        let n = runs.fetch_add(1, Ordering::SeqCst) as u32;
                        gate.notified().await;
                        Ok(100 + n)
                    })
                    .await
            }));
        }
        // Every task has joined the flight before it may finish.
        while coalesce.in_flight() == 0 || runs.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        gate.notify_one();
        for t in tasks {
            assert_eq!(t.await.unwrap(), Ok(100));
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(coalesce.in_flight(), 0, "the finished flight is removed");
    }

    #[tokio::test]
    async fn different_keys_and_later_requests_compute_again() {
        let coalesce: Coalesce<u8, u8, String> = Coalesce::default();
        assert_eq!(coalesce.run(1, || async { Ok(1) }).await, Ok(1));
        assert_eq!(coalesce.run(2, || async { Ok(2) }).await, Ok(2));
        // No cache: the same key after its flight ended computes a new answer.
        assert_eq!(coalesce.run(1, || async { Ok(3) }).await, Ok(3));
        assert_eq!(
            coalesce.run(1, || async { Err("store down".to_string()) }).await,
            Err("store down".to_string())
        );
        assert_eq!(coalesce.run(1, || async { Ok(4) }).await, Ok(4), "errors are not kept");
    }

    #[tokio::test]
    async fn a_dropped_leader_hands_the_computation_to_a_waiter() {
        let coalesce: Arc<Coalesce<&str, &str, String>> = Arc::default();
        let leader = {
            let coalesce = coalesce.clone();
            tokio::spawn(async move {
                coalesce
                    .run("k", || async {
                        std::future::pending::<()>().await;
                        Ok("never")
                    })
                    .await
            })
        };
        while coalesce.in_flight() == 0 {
            tokio::task::yield_now().await;
        }
        let waiter = {
            let coalesce = coalesce.clone();
            tokio::spawn(async move { coalesce.run("k", || async { Ok("waiter's") }).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        leader.abort();
        assert_eq!(waiter.await.unwrap(), Ok("waiter's"));
        assert_eq!(coalesce.in_flight(), 0);
    }
}
