//! WASI time and waiting: a small reactor over `wasi:io/poll`, so that many requests and timers
//! wait at once, and [`block_on`] to drive it.
//!
//! Every wait of the WASI backend is a [`WaitFor`]: a future over one `pollable`. While a
//! [`block_on`] runs on this thread, a pending `WaitFor` moves its pollable into the reactor and
//! leaves its waker there; when the future being run has nothing left to do, `block_on` hands
//! every registered pollable to one `wasi:io/poll.poll` call and wakes the waiters of the ready
//! ones. So `join_all` of five requests waits for all five at once.
//!
//! Without a running `block_on` (a future driven by another executor), a `WaitFor` blocks on its
//! pollable (`pollable.block()`) when polled: slower, one wait at a time, but it never hangs.
//!
//! The WASI rule that a child resource is dropped before its parent holds here too: a pollable
//! is a child of the stream or future it came from. A `WaitFor` owns its pollable (directly or
//! through its slot in the reactor) and drops it as soon as it completes or is dropped, so the
//! caller only has to drop its `WaitFor` before the pollable's parent.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use ::wasi::clocks::monotonic_clock;
use ::wasi::io::poll::{self as wasi_poll, Pollable};

thread_local! {
    static REACTOR: Reactor = Reactor::default();
}

/// The pollables that pending futures wait on, with their wakers.
#[derive(Default)]
struct Reactor {
    /// How many `block_on` calls are running on this thread (nested calls share the reactor).
    running: Cell<usize>,
    slots: RefCell<Slots>,
}

#[derive(Default)]
struct Slots {
    entries: Vec<Option<Slot>>,
    free: Vec<usize>,
}

struct Slot {
    pollable: Pollable,
    /// Set while a future waits on this pollable; taken when it is woken.
    waker: Option<Waker>,
    /// `poll` reported the pollable ready: its waiter completes without asking the host again.
    ready: bool,
}

impl Reactor {
    fn running(&self) -> bool {
        self.running.get() > 0
    }

    fn insert(&self, pollable: Pollable, waker: Waker) -> usize {
        let mut slots = self.slots.borrow_mut();
        let slot = Some(Slot {
            pollable,
            waker: Some(waker),
            ready: false,
        });
        match slots.free.pop() {
            Some(key) => {
                slots.entries[key] = slot;
                key
            }
            None => {
                slots.entries.push(slot);
                slots.entries.len() - 1
            }
        }
    }

    /// Drops the pollable of `key` (it must go before its parent resource).
    fn remove(&self, key: usize) {
        let mut slots = self.slots.borrow_mut();
        if let Some(entry) = slots.entries.get_mut(key) {
            if entry.take().is_some() {
                slots.free.push(key);
            }
        }
    }

    fn with_slot<T>(&self, key: usize, f: impl FnOnce(&mut Slot) -> T) -> Option<T> {
        let mut slots = self.slots.borrow_mut();
        slots.entries.get_mut(key)?.as_mut().map(f)
    }

    /// Waits until at least one waited-on pollable is ready and wakes its waiter. Returns
    /// `false` when nothing waits, so nothing could ever wake the caller.
    fn wait(&self) -> bool {
        let ready_wakers: Vec<Waker> = {
            let mut slots = self.slots.borrow_mut();
            let waiting: Vec<usize> = (0..slots.entries.len())
                .filter(|&k| matches!(&slots.entries[k], Some(s) if s.waker.is_some()))
                .collect();
            if waiting.is_empty() {
                return false;
            }
            let list: Vec<&Pollable> = waiting
                .iter()
                .filter_map(|&k| slots.entries[k].as_ref().map(|s| &s.pollable))
                .collect();
            let ready = wasi_poll::poll(&list);
            drop(list);
            ready
                .into_iter()
                .filter_map(|i| waiting.get(i as usize).copied())
                .filter_map(|k| {
                    let slot = slots.entries[k].as_mut()?;
                    slot.ready = true;
                    slot.waker.take()
                })
                .collect()
        };
        // Woken outside the borrow: a waker may be polled right away by a nested executor.
        for w in ready_wakers {
            w.wake();
        }
        true
    }
}

/// Marks a `block_on` as running on this thread for as long as it lives.
struct Running;

impl Running {
    fn enter() -> Running {
        REACTOR.with(|r| r.running.set(r.running.get() + 1));
        Running
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = REACTOR.try_with(|r| r.running.set(r.running.get().saturating_sub(1)));
    }
}

/// A future that completes when its `pollable` is ready.
#[must_use = "futures do nothing unless polled"]
pub(crate) struct WaitFor {
    state: State,
}

enum State {
    /// Not yet handed to the reactor.
    Own(Pollable),
    /// Owned by the reactor's slot `key`.
    Registered(usize),
    Done,
}

impl WaitFor {
    pub(crate) fn new(pollable: Pollable) -> WaitFor {
        WaitFor {
            state: State::Own(pollable),
        }
    }
}

impl Future for WaitFor {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        REACTOR.with(
            |reactor| match std::mem::replace(&mut this.state, State::Done) {
                State::Done => Poll::Ready(()),
                State::Own(pollable) => {
                    if reactor.running() {
                        // Not asked whether it is ready yet: a fresh pollable seldom is, and
                        // the reactor's `poll` returns at once for one that is. Each host call
                        // saved counts: a request waits a few times.
                        this.state =
                            State::Registered(reactor.insert(pollable, cx.waker().clone()));
                        Poll::Pending
                    } else {
                        // No reactor runs here: wait in place rather than hang.
                        pollable.block();
                        Poll::Ready(())
                    }
                }
                State::Registered(key) => {
                    let ready = reactor
                        .with_slot(key, |slot| {
                            // Polled again, either woken by the reactor (which saw it ready)
                            // or because another future of the same task woke: only the
                            // reactor's word is taken, the host is not asked each time.
                            if slot.ready {
                                true
                            } else if reactor.running() {
                                slot.waker = Some(cx.waker().clone());
                                false
                            } else {
                                slot.pollable.block();
                                true
                            }
                        })
                        .unwrap_or(true);
                    if ready {
                        reactor.remove(key);
                        Poll::Ready(())
                    } else {
                        this.state = State::Registered(key);
                        Poll::Pending
                    }
                }
            },
        )
    }
}

impl Drop for WaitFor {
    fn drop(&mut self) {
        if let State::Registered(key) = self.state {
            let _ = REACTOR.try_with(|r| r.remove(key));
        }
    }
}

/// Sleeps for `d`: a `wasi:clocks/monotonic-clock` `subscribe-duration` pollable, waited on in
/// the reactor. The clock starts when the future is created.
pub(crate) fn sleep(d: Duration) -> super::Sleep {
    let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
    Box::pin(WaitFor::new(monotonic_clock::subscribe_duration(nanos)))
}

pub(crate) use std::time::Instant;

pub(crate) fn system_now() -> std::time::SystemTime {
    std::time::SystemTime::now()
}

/// Runs `future` to completion on this thread, waiting on every pending request and timer at
/// once with `wasi:io/poll.poll`. This is how a WASI command or `wasi:http` handler drives
/// anyfetch's async API (the blocking twin, `anyfetch::blocking`, uses it too).
///
/// ```no_run
/// let body = anyfetch::block_on(async {
///     anyfetch::get("http://localhost:8000/get").await?.text().await
/// })?;
/// # Ok::<(), anyfetch::Error>(())
/// ```
///
/// Calls may nest (a blocking call inside an async task); the inner call waits for the outer
/// futures' pollables too and wakes them.
///
/// # Panics
/// When the future is pending and waits on nothing that can wake it: a deadlock, such as
/// awaiting a channel whose sender is never used.
pub fn block_on<F: Future>(future: F) -> F::Output {
    struct Flag(AtomicBool);
    impl Wake for Flag {
        fn wake(self: Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.store(true, Ordering::SeqCst);
        }
    }

    let flag = Arc::new(Flag(AtomicBool::new(true)));
    let waker = Waker::from(flag.clone());
    let mut cx = Context::from_waker(&waker);
    let _running = Running::enter();
    let mut future = pin!(future);
    loop {
        if flag.0.swap(false, Ordering::SeqCst) {
            if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
                return v;
            }
            continue;
        }
        if !REACTOR.with(Reactor::wait) {
            panic!(
                "anyfetch::block_on: the future is pending and waits on no pollable that could wake it (a deadlock)"
            );
        }
    }
}
