//! Graph requests: the token sent as the `access_token` query parameter, paths of Graph
//! object ids only, every exchange archived (URL scrubbed), the answer checked for the Graph
//! error envelope, and the token redacted from every error.

use super::errors::{check, redact_secret};
use crate::endpoints::join;
use crate::error::PlatformError;
use crate::http::{Answer, Http, Recorder};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

/// Decodes a Graph answer's JSON body as `T`. Errors: [`PlatformError::Decode`] (with
/// `token` redacted from the message) when the body does not fit.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    answer: &Answer,
    token: &SecretString,
) -> Result<T, PlatformError> {
    answer.json().map_err(|e| redact_secret(e, token.expose_secret()))
}

/// Sends `GET {base}{path}?{params}&access_token=<token>`, archives the exchange (URL
/// scrubbed) into `recorder`, and returns the 2xx answer or the mapped error (see
/// [`check`]). `path` starts with `/` and its node ids must be Graph ids
/// (`[A-Za-z0-9_.-]`), else [`PlatformError::NotFound`] without a request. `metric_hint` is
/// the request's metric list, used to name a removed metric. The token never appears in
/// the returned error.
pub async fn get(
    http: &Http,
    base: &Url,
    path: &str,
    params: &[(&str, &str)],
    token: &SecretString,
    recorder: &Recorder,
) -> Result<Answer, PlatformError> {
    let url = graph_url(base, path, params, token)?;
    let metric_hint = params.iter().find(|(k, _)| *k == "metric").map(|(_, v)| *v);
    send_checked(http, http.client().get(url), metric_hint, token, recorder).await
}

/// Sends `POST {base}{path}?{params}&access_token=<token>` with an empty body, archives the
/// exchange (URL scrubbed) into `recorder`, and returns the 2xx answer or the mapped error
/// (see [`check`]). Path rules and token handling as [`get`]. Used for Graph writes that
/// take their arguments as query parameters (WhatsApp `POST /{waba-id}?is_enabled_for_insights=true`).
pub async fn post(
    http: &Http,
    base: &Url,
    path: &str,
    params: &[(&str, &str)],
    token: &SecretString,
    recorder: &Recorder,
) -> Result<Answer, PlatformError> {
    let url = graph_url(base, path, params, token)?;
    let request = http.client().post(url).header(reqwest::header::CONTENT_LENGTH, "0");
    send_checked(http, request, None, token, recorder).await
}

/// Sends `DELETE {base}{path}?{params}&access_token=<token>`, archives the exchange (URL
/// scrubbed) into `recorder`, and returns the 2xx answer or the mapped error (see
/// [`check`]). Path rules and token handling as [`get`]. Used to remove the app from a
/// user (`DELETE /me/permissions`).
pub async fn delete(
    http: &Http,
    base: &Url,
    path: &str,
    params: &[(&str, &str)],
    token: &SecretString,
    recorder: &Recorder,
) -> Result<Answer, PlatformError> {
    let url = graph_url(base, path, params, token)?;
    send_checked(http, http.client().delete(url), None, token, recorder).await
}

/// Sends `request` and [`check`]s the answer, with `token` redacted from any error.
async fn send_checked(
    http: &Http,
    request: reqwest::RequestBuilder,
    metric_hint: Option<&str>,
    token: &SecretString,
    recorder: &Recorder,
) -> Result<Answer, PlatformError> {
    let secret = token.expose_secret();
    let answer = http
        .send(request, recorder)
        .await
        .map_err(|e| redact_secret(e, secret))?;
    check(answer, metric_hint).map_err(|e| redact_secret(e, secret))
}

/// `{base}{path}?{params}&access_token=<token>`, the URL of a Graph request. Errors:
/// [`PlatformError::NotFound`] when `path` is not a Graph path of object ids (see
/// [`is_graph_path`]), so no request is made.
fn graph_url(base: &Url, path: &str, params: &[(&str, &str)], token: &SecretString) -> Result<Url, PlatformError> {
    if !is_graph_path(path) {
        return Err(PlatformError::NotFound {
            message: format!("{path:?} is not a Graph API path of object ids"),
        });
    }
    let mut url = join(base, path);
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
        q.append_pair("access_token", token.expose_secret());
    }
    Ok(url)
}

/// `true` when `path` starts with `/` and every segment is a non-empty Graph id
/// (`[A-Za-z0-9_.-]`, at least one alphanumeric character).
fn is_graph_path(path: &str) -> bool {
    path.starts_with('/')
        && path
            .split('/')
            .skip(1)
            .all(|seg| seg.chars().any(|c| c.is_ascii_alphanumeric()) && seg.chars().all(is_graph_id_char))
}

fn is_graph_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}
