//! hyper 1.x glue shared by the runtime adapters (feature `hyper`): one request in,
//! through an [`HttpEndpoint`], one response out. No socket and no runtime here: the
//! adapters accept connections and run hyper's connection tasks on their own executors.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response};

use crate::http::{HttpEndpoint, HttpReply};
use mcp_proto::http::{APPLICATION_JSON, HttpMethod, HttpResponse, RequestHead};

/// The body of every response: a complete buffer or an SSE stream.
pub type ResponseBody = BoxBody<Bytes, Infallible>;

/// One request through the endpoint: a hyper/tower-compatible service body, for mounting
/// the endpoint into an existing hyper or axum application under any path.
pub async fn serve(
    endpoint: Arc<HttpEndpoint>,
    request: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    let (parts, body) = request.into_parts();
    let headers: Vec<(&str, &[u8])> = parts
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect();
    let head = RequestHead::new(
        HttpMethod::parse(parts.method.as_str()),
        parts.uri.path(),
        &headers,
    );
    if let Err(refusal) = endpoint.check_head(&head) {
        return Ok(complete(refusal));
    }
    let body = match Limited::new(body, endpoint.max_body_bytes())
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Ok(complete(endpoint.body_too_large())),
    };
    Ok(match endpoint.handle_checked(&head, &body).await {
        HttpReply::Complete(response) => complete(response),
        HttpReply::Stream { headers, body } => {
            let frames = body.map(|chunk| Ok::<_, Infallible>(Frame::data(Bytes::from(chunk))));
            let mut response = Response::new(BodyExt::boxed(StreamBody::new(frames)));
            for (name, value) in headers {
                if let Ok(value) = value.parse() {
                    response.headers_mut().insert(name, value);
                }
            }
            response
        }
    })
}

fn complete(response: HttpResponse) -> Response<ResponseBody> {
    let mut out = Response::new(Full::new(Bytes::from(response.body)).boxed());
    *out.status_mut() = hyper::StatusCode::from_u16(response.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in response.headers {
        // Nearly every answer is JSON: its header needs no parsing.
        if name.eq_ignore_ascii_case("content-type") && value == APPLICATION_JSON {
            out.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static(APPLICATION_JSON),
            );
        } else if let Ok(value) = value.parse() {
            out.headers_mut().insert(name, value);
        }
    }
    out
}
