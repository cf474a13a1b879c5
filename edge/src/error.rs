//! The edge's one error type. Every failure leaves as `{"error": {...}}`
//! with a stable code; internal details go to the log, never to clients.

use upfront_shared::error::{ErrorBody, ErrorCode};
use worker::Response;

#[derive(Debug)]
pub struct ApiError(pub ErrorBody);

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(ErrorBody::new(code, message))
    }

    pub fn into_response(self) -> Response {
        let status = self.0.error.code.http_status();
        Response::from_json(&self.0)
            .map(|r| r.with_status(status))
            .unwrap_or_else(|_| Response::empty().expect("empty response").with_status(500))
    }
}

impl From<ErrorBody> for ApiError {
    fn from(body: ErrorBody) -> Self {
        Self(body)
    }
}

/// Runtime failures (storage, bindings) are logged and hidden.
impl From<worker::Error> for ApiError {
    fn from(err: worker::Error) -> Self {
        worker::console_error!("internal error: {err}");
        Self::new(ErrorCode::InternalError, "internal error")
    }
}
