//! `/metrics` in Prometheus text: requests and latencies by route, open
//! WebSockets, store transaction times, event fan-out times.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bureau_core::metrics::Histogram;

use crate::AppState;

#[derive(Default)]
pub struct Metrics {
    routes: RwLock<HashMap<(String, String), Arc<RouteStats>>>,
    pub websockets: AtomicI64,
}

#[derive(Default)]
struct RouteStats {
    by_status: [AtomicU64; 5],
    latency: Histogram,
}

impl Metrics {
    fn stats(&self, method: &str, route: &str) -> Arc<RouteStats> {
        let key = (method.to_string(), route.to_string());
        if let Some(stats) = self.routes.read().expect("metrics lock").get(&key) {
            return stats.clone();
        }
        self.routes
            .write()
            .expect("metrics lock")
            .entry(key)
            .or_default()
            .clone()
    }
}

/// Counts each request under its route pattern (never the raw path, which
/// would grow without bound).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = request.method().to_string();
    let response = next.run(request).await;
    let stats = state.metrics.stats(&method, &route);
    let class = (response.status().as_u16() / 100).clamp(1, 5) as usize - 1;
    stats.by_status[class].fetch_add(1, Ordering::Relaxed);
    stats.latency.record(started.elapsed());
    response
}

pub async fn render(State(state): State<AppState>) -> Response {
    let mut out = String::new();
    out.push_str("# TYPE bureau_http_requests_total counter\n");
    let routes = state.metrics.routes.read().expect("metrics lock");
    for ((method, route), stats) in routes.iter() {
        for (i, count) in stats.by_status.iter().enumerate() {
            let count = count.load(Ordering::Relaxed);
            if count > 0 {
                let _ = writeln!(
                    out,
                    "bureau_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{}xx\"}} {count}",
                    i + 1
                );
            }
        }
    }
    out.push_str("# TYPE bureau_http_request_duration_seconds histogram\n");
    for ((method, route), stats) in routes.iter() {
        let labels = format!("method=\"{method}\",route=\"{route}\"");
        stats
            .latency
            .render(&mut out, "bureau_http_request_duration_seconds", &labels);
    }
    drop(routes);
    out.push_str("# TYPE bureau_websockets_open gauge\n");
    let _ = writeln!(
        out,
        "bureau_websockets_open {}",
        state.metrics.websockets.load(Ordering::Relaxed)
    );
    out.push_str("# TYPE bureau_store_transaction_seconds histogram\n");
    state
        .store
        .transaction_time
        .render(&mut out, "bureau_store_transaction_seconds", "");
    out.push_str("# TYPE bureau_event_fanout_seconds histogram\n");
    state
        .hub
        .fanout_time
        .render(&mut out, "bureau_event_fanout_seconds", "");
    let media = state.calls.media().stats();
    for (name, kind, value) in [
        (
            "bureau_meet_peers",
            "gauge",
            media.peers.load(Ordering::Relaxed),
        ),
        (
            "bureau_meet_forwarded_packets_total",
            "counter",
            media.forwarded_packets.load(Ordering::Relaxed),
        ),
        (
            "bureau_meet_dropped_datagrams_total",
            "counter",
            media.dropped_datagrams.load(Ordering::Relaxed),
        ),
        (
            "bureau_meet_peer_panics_total",
            "counter",
            media.peer_panics.load(Ordering::Relaxed),
        ),
    ] {
        let _ = writeln!(out, "# TYPE {name} {kind}\n{name} {value}");
    }
    // Time inside the SFU, in 50 µs buckets (cumulative, microseconds).
    out.push_str("# TYPE bureau_meet_forward_micros histogram\n");
    let mut cumulative = 0;
    let counts = media.forward_time.counts();
    for (i, count) in counts.iter().enumerate() {
        cumulative += count;
        if i < bureau_meet::media::FORWARD_BUCKETS {
            let bound = (i as u64 + 1) * bureau_meet::media::FORWARD_BUCKET_MICROS;
            let _ = writeln!(
                out,
                "bureau_meet_forward_micros_bucket{{le=\"{bound}\"}} {cumulative}"
            );
        }
    }
    let _ = writeln!(
        out,
        "bureau_meet_forward_micros_bucket{{le=\"+Inf\"}} {cumulative}\n\
         bureau_meet_forward_micros_sum {}\nbureau_meet_forward_micros_count {cumulative}",
        media.forward_time.sum_micros()
    );
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        out,
    )
        .into_response()
}
