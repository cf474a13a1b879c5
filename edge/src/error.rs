//! The edge's one error type. Every failure leaves as `{"error": {...}}`
//! with a stable code; internal details go to the log, never to clients.

use upfront_shared::error::{ErrorBody, ErrorCode};
use worker::Response;

use crate::http::NOSNIFF;

#[derive(Debug)]
pub struct ApiError {
    body: ErrorBody,
    retry_after: Option<u32>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody::new(code, message).into()
    }

    pub fn retry_after(mut self, seconds: u32) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn into_response(self) -> Response {
        let status = self.body.error.code.http_status();
        let response = Response::from_json(&self.body).map(|r| r.with_status(status));
        let Ok(response) = response else {
            return Response::empty()
                .map(|r| r.with_status(500))
                .unwrap_or_else(|_| Response::error("", 500).expect("response"));
        };
        let headers = response.headers();
        let _ = headers.set("Cache-Control", "no-store");
        let _ = headers.set(NOSNIFF.0, NOSNIFF.1);
        if let Some(seconds) = self.retry_after {
            let _ = headers.set("Retry-After", &seconds.to_string());
        }
        response
    }
}

impl From<ErrorBody> for ApiError {
    fn from(body: ErrorBody) -> Self {
        Self {
            body,
            retry_after: None,
        }
    }
}

/// Runtime failures (storage, bindings) are logged and hidden.
impl From<worker::Error> for ApiError {
    fn from(err: worker::Error) -> Self {
        worker::console_error!("internal error: {err}");
        Self::new(ErrorCode::InternalError, "internal error")
    }
}
