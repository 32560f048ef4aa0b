//! The exchange both WASI versions run: the request body is written while the response head is
//! awaited. A server may answer before it has read the whole body, and the host reads the body
//! only once the request is on its way, so neither may wait for the other.

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use futures_util::future::{select, Either};
use url::Url;

use super::error::Phase;
use crate::error::{Error, Result, TimeoutKind};

/// How long to wait for the exchange's error after the body stream broke, when no read timeout
/// bounds the wait.
const STREAM_FAILURE_GRACE: Duration = Duration::from_secs(5);

/// Why writing the request body stopped.
pub(super) enum WriteError {
    /// The host stopped taking the body (its stream broke or closed): the exchange's own result
    /// says more.
    Stopped(Error),
    /// Anything else (the write timeout, the body's source failing, the host refusing the end
    /// of the body): the exchange ends with this error.
    Other(Error),
}

/// Runs `writing` (the request body) and `head` (the wait for the response head) together;
/// `map` turns the host's failure into an [`Error`] for the phase it came in.
///
/// - Written first: the client's own wait for the head starts (at most `head_limit`, a
///   backstop to the host's first-byte timeout).
/// - The host stopped taking the body: when it failed the whole exchange (refused, reset), the
///   head says why; when the server answered anyway, the answer stands. Either way the wait is
///   bounded (`head_limit`, else [`STREAM_FAILURE_GRACE`]) and ends in the write error.
/// - The head first (the server answered early): the body is finished, since the host needs
///   its end, but the answer stands whatever becomes of it.
pub(super) async fn write_while_awaiting_head<R, C>(
    writing: impl Future<Output = std::result::Result<(), WriteError>>,
    head: impl Future<Output = std::result::Result<R, C>>,
    map: impl Fn(C, Phase) -> Error,
    head_limit: Option<Duration>,
    url: &Url,
) -> Result<R> {
    let writing = pin!(writing);
    let head = pin!(head);
    match select(writing, head).await {
        Either::Left((Ok(()), head)) => {
            let head = async { head.await.map_err(|c| map(c, Phase::ReadHead)) };
            crate::platform::timeout(head_limit, head, || {
                Error::timeout(TimeoutKind::Read)
                    .with_message("no response head in time")
                    .with_url(url.clone())
            })
            .await
        }
        Either::Left((Err(WriteError::Other(e)), _head)) => Err(e),
        Either::Left((Err(WriteError::Stopped(e)), head)) => {
            let grace = head_limit.unwrap_or(STREAM_FAILURE_GRACE);
            let head = async { head.await.map_err(|c| map(c, Phase::ReadHead)) };
            crate::platform::timeout(Some(grace), head, || e).await
        }
        Either::Right((Ok(response), writing)) => {
            let _ = writing.await;
            Ok(response)
        }
        Either::Right((Err(c), _writing)) => Err(map(c, Phase::Write)),
    }
}

/// One wait of the request body's writing (the host ready for more, a chunk taken, the end
/// confirmed), at most `limit`, the write timeout; `what` says what the host did not do in time.
pub(super) async fn within_write_timeout<T>(
    limit: Option<Duration>,
    wait: impl Future<Output = T>,
    what: &str,
    url: &Url,
) -> std::result::Result<T, WriteError> {
    let wait = async { Ok(wait.await) };
    crate::platform::timeout(limit, wait, || {
        Error::timeout(TimeoutKind::Write)
            .with_message(format!("the host {what} in time"))
            .with_url(url.clone())
    })
    .await
    .map_err(WriteError::Other)
}
