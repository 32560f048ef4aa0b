//! Bodies over WHATWG streams, bridged by `wasm-streams`: the response's `ReadableStream` read
//! as a Rust `Stream` as it arrives, and a streamed request body handed to fetch as a
//! `ReadableStream`. The [`AbortOnDrop`] guard travels with the exchange, then with the
//! response body, so that dropping either one aborts the fetch.

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use futures_util::StreamExt;
use js_sys::Uint8Array;
use url::Url;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortController;

use super::error::{self, map_js_error, Phase};
use super::js::Runtime;
use crate::body::Body;
use crate::error::{Error, Result};

/// Aborts the fetch when dropped, unless [`disarm`](AbortOnDrop::disarm)ed: dropping the
/// request future or the unfinished response body cancels the exchange and its body stream.
pub(super) struct AbortOnDrop(Option<AbortController>);

impl AbortOnDrop {
    pub(super) fn new(controller: AbortController) -> Self {
        AbortOnDrop(Some(controller))
    }

    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.abort();
        }
    }
}

/// The response body: the `ReadableStream` as a stream of [`Bytes`], chunk by chunk.
pub(super) struct ResponseBody {
    stream: wasm_streams::readable::IntoStream<'static>,
    abort: AbortOnDrop,
    url: Url,
    runtime: Runtime,
}

impl ResponseBody {
    pub(super) fn new(
        raw: web_sys::ReadableStream,
        abort: AbortOnDrop,
        url: Url,
        runtime: Runtime,
    ) -> Self {
        ResponseBody {
            stream: wasm_streams::ReadableStream::from_raw(raw).into_stream(),
            abort,
            url,
            runtime,
        }
    }
}

impl Stream for ResponseBody {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        let this = &mut *self;
        match this.stream.poll_next_unpin(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                this.abort.disarm();
                Poll::Ready(None)
            }
            Poll::Ready(Some(Ok(chunk))) => match chunk.dyn_into::<Uint8Array>() {
                Ok(a) => Poll::Ready(Some(Ok(Bytes::from(a.to_vec())))),
                Err(_) => Poll::Ready(Some(Err(Error::new(crate::ErrorKind::Protocol)
                    .with_message(
                        "the response body stream yielded a chunk that is not a Uint8Array",
                    )
                    .with_url(this.url.clone())))),
            },
            Poll::Ready(Some(Err(e))) => {
                let cx = error::Context {
                    url: &this.url,
                    runtime: this.runtime,
                    streamed_upload: false,
                };
                Poll::Ready(Some(Err(map_js_error(&e, Phase::Body, &cx))))
            }
        }
    }
}

/// Where the upload keeps the error of the Rust body stream, so that the exchange reports it
/// (a `Write` error) rather than the runtime's generic rejection that follows it.
pub(super) type UploadError = Rc<RefCell<Option<Error>>>;

/// A streamed request body as a `ReadableStream` of `Uint8Array`s.
pub(super) fn upload_stream(body: Body, failed: UploadError) -> web_sys::ReadableStream {
    let chunks = body.into_stream().map(move |chunk| match chunk {
        Ok(bytes) => Ok(JsValue::from(Uint8Array::from(&bytes[..]))),
        Err(e) => {
            let js = js_sys::Error::new(&e.display_chain().to_string());
            *failed.borrow_mut() = Some(e);
            Err(js.into())
        }
    });
    wasm_streams::ReadableStream::from_stream(chunks).into_raw()
}
