//! bureau's HTTP face: the `/api/v1` JSON API, the event WebSocket, health
//! and metrics, and the embedded web app.
//!
//! **Architecture invariant:** this is the only crate that knows HTTP, JSON
//! wire shapes and axum. Domain crates below it return domain records; the
//! types in `api::views` are their serialisable twins.

mod api;
mod assets;
mod auth;
mod dav;
mod error;
mod extract;
mod http;
mod meter;
mod metrics;
mod presence;
mod realtime;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use bureau_accounts::{Accounts, Ports};
use bureau_store::Store;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::{ApiError, ErrorBody};

/// Largest request body accepted anywhere (the avatar is the largest).
pub const BODY_LIMIT: usize = bureau_accounts::AVATAR_MAX_BYTES + 64 * 1024;

/// What the HTTP layer needs to know about its deployment.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    /// The address people reach bureau at, for links (setup, invitations).
    pub public_url: String,
    /// Where the search index lives; `None` keeps it in memory (tests).
    pub search_dir: Option<std::path::PathBuf>,
    /// Email for people away; `None` sends none.
    pub mail: Option<MailSettings>,
    /// Where meetings' media flows.
    pub media: bureau_meet::media::MediaConfig,
    /// Count each person's bytes (off only to measure what counting costs).
    pub data_meter: bool,
}

/// The SMTP server and how patient the digests are.
#[derive(Clone)]
pub struct MailSettings {
    /// May hold a password: never printed.
    pub smtp_url: String,
    pub from: String,
    pub unread_for: Duration,
    pub every: Duration,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("smtp_url", &"[redacted]")
            .field("from", &self.from)
            .field("unread_for", &self.unread_for)
            .finish()
    }
}

impl ServerConfig {
    /// Cookies are marked Secure when people reach bureau over TLS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// A link into the web app that carries a secret in its fragment, so
    /// the secret never reaches a server log or a Referer header.
    pub fn link(&self, page: &str, secret: &str) -> String {
        format!("{}/{page}#{secret}", self.public_url.trim_end_matches('/'))
    }
}

#[derive(Clone)]
pub struct AppState {
    pub accounts: Arc<Accounts>,
    pub chat: Arc<bureau_chat::Chat>,
    pub files: Arc<bureau_files::Files>,
    pub docs: Arc<bureau_docs::Docs>,
    pub meet: Arc<bureau_meet::Meet>,
    pub calls: Arc<bureau_meet::Calls>,
    pub office: Arc<bureau_office::Office>,
    pub store: Store,
    pub hub: Arc<realtime::Hub>,
    pub metrics: Arc<metrics::Metrics>,
    pub sessions: Arc<meter::Sessions>,
    pub config: Arc<ServerConfig>,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "bureau", description = "The remote office in one binary: REST+JSON API.",),
    servers((url = "/api/v1")),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

/// A bound, ready server: the listener is open before `run` is called, so a
/// test can connect as soon as `build` returns.
pub struct Server {
    listener: TcpListener,
    router: Router,
    shutdown: watch::Sender<bool>,
    pub state: AppState,
}

impl Server {
    pub async fn build(config: ServerConfig, ports: Ports) -> Result<Server, String> {
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
        // `--listen ...:0` picks a free port: links must name the real one.
        let mut config = config;
        if let (Some(base), Ok(bound)) =
            (config.public_url.strip_suffix(":0"), listener.local_addr())
        {
            config.public_url = format!("{base}:{}", bound.port());
        }
        let (shutdown, shutdown_rx) = watch::channel(false);
        let hub = realtime::Hub::start(ports.store.clone(), &ports.bus, shutdown_rx).await?;
        let index = match bureau_search::Index::open(config.search_dir.as_deref()) {
            Err(bureau_search::SearchError::Locked) => {
                // Another process on this data folder owns it: this one
                // keeps its own index in memory, rebuilt from the Store.
                tracing::warn!("the search index folder is in use by another process; this one indexes in memory");
                bureau_search::Index::open(None)
            }
            other => other,
        }
        .map_err(|e| e.to_string())?;
        let chat = Arc::new(bureau_chat::Chat::new(ports.clone(), index));
        tokio::spawn(chat.clone().follow_events());
        if let Some(mail) = &config.mail {
            let mailer =
                bureau_mail::Mailer::new(&mail.smtp_url, &mail.from).map_err(|e| e.to_string())?;
            let mut digest = bureau_chat::DigestConfig::with_public_url(config.public_url.clone());
            digest.unread_for = mail.unread_for;
            digest.every = mail.every;
            tokio::spawn(chat.clone().mail_digests(mailer, digest));
        }
        let files = Arc::new(bureau_files::Files::new(ports.clone()));
        tokio::spawn(files.clone().housekeeping());
        // The wiki's index sits beside chat's, in a folder of its own.
        let docs_dir = config.search_dir.as_ref().map(|dir| {
            let mut name = dir.file_name().unwrap_or_default().to_os_string();
            name.push("-docs");
            dir.with_file_name(name)
        });
        let docs_index = match bureau_search::Index::open(docs_dir.as_deref()) {
            Err(bureau_search::SearchError::Locked) => bureau_search::Index::open(None),
            other => other,
        }
        .map_err(|e| e.to_string())?;
        let docs = Arc::new(bureau_docs::Docs::new(ports.clone(), docs_index));
        tokio::spawn(docs.clone().follow_content());
        tokio::spawn(docs.rooms.clone().follow_rights());
        // A revoked session or a deactivated account also loses the pages
        // it has open, at once.
        let rooms = docs.rooms.clone();
        hub.on_access_ended(move |change| rooms.access_ended(change));
        let media = bureau_meet::media::MediaServer::start(config.media.clone()).map_err(|e| {
            format!(
                "cannot open the media ports (UDP {}, TCP {}): {e}",
                config.media.udp, config.media.tcp
            )
        })?;
        // ... and the calls it is in.
        let calls = bureau_meet::Calls::new(media);
        let in_calls = calls.clone();
        hub.on_access_ended(move |change| in_calls.access_ended(change));
        let meet = Arc::new(bureau_meet::Meet::new(
            ports.clone(),
            chat.clone(),
            config.public_url.clone(),
        ));
        let office = Arc::new(bureau_office::Office::new(ports.clone()));
        office.meter().allow(config.data_meter);
        // The admin's switch and the plans, before the first request.
        if let Err(error) = office.meter().refresh().await {
            tracing::warn!(%error, "the data meter could not read its settings and plans");
        }
        tokio::spawn(office.meter().clone().run());
        tokio::spawn(office.clone().daily_checks());
        calls.set_meter(Arc::new(meter::MeetingsMeter(office.meter().clone())));
        // Whoever comes near their cap during a call gets a stricter mode
        // at the meter's next look (every 30 s, or when plans change).
        let capping = Arc::downgrade(&calls);
        office.meter().on_refresh(move || {
            if let Some(calls) = capping.upgrade() {
                calls.apply_caps();
            }
        });
        let state = AppState {
            store: ports.store.clone(),
            office,
            meet,
            calls,
            chat,
            files,
            docs,
            accounts: Arc::new(Accounts::new(ports)),
            hub,
            metrics: Arc::default(),
            sessions: Arc::default(),
            config: Arc::new(config),
        };
        let router = router(state.clone());
        Ok(Server {
            listener,
            router,
            shutdown,
            state,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `signal` completes, then stops accepting, closes event
    /// sockets and finishes the requests in flight.
    pub async fn run(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let shutdown = self.shutdown;
        let meter = self.state.office.meter().clone();
        let app = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, app)
            .with_graceful_shutdown(async move {
                signal.await;
                let _ = shutdown.send(true);
            })
            .await?;
        // The last counts of the data meter.
        if let Err(error) = meter.flush().await {
            tracing::warn!(%error, "the data meter could not write its last counts");
        }
        Ok(())
    }
}

/// The `/api/v1` routes together with their OpenAPI description.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(api::accounts::router())
        .merge(api::chat::router())
        .merge(api::files::router())
        .merge(api::docs::router())
        .merge(api::doc_history::router())
        .merge(api::doc_transfer::router())
        .merge(api::doc_tables::router())
        .merge(api::meetings::router())
        .merge(api::office::router())
        .merge(api::office_meter::router())
        .merge(api::office_tools::router())
        .routes(routes!(realtime::events))
}

/// The OpenAPI document of `/api/v1`, as served at `/api/v1/openapi.json`.
pub fn openapi_json() -> String {
    api_routes()
        .into_openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
}

fn router(state: AppState) -> Router {
    let (api, openapi) = api_routes().split_for_parts();
    let openapi = Arc::new(
        openapi
            .to_pretty_json()
            .expect("the OpenAPI document serialises"),
    );
    let api = api.route(
        "/openapi.json",
        get(move || {
            let openapi = openapi.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    openapi.as_str().to_owned(),
                )
            }
        }),
    );
    let app = Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/hooks/{token}",
            axum::routing::post(api::chat::incoming_webhook),
        )
        .route("/metrics", get(metrics::render))
        .fallback(assets::serve)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // File contents are streamed as they are: mostly compressed
        // already, and a Content-Length lets the browser show progress.
        .layer(
            CompressionLayer::new().compress_when(
                DefaultPredicate::new()
                    .and(NotForContentType::const_new("application/octet-stream"))
                    .and(NotForContentType::const_new("application/zip"))
                    .and(NotForContentType::const_new("application/pdf"))
                    .and(NotForContentType::const_new("video/"))
                    .and(NotForContentType::const_new("audio/")),
            ),
        )
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ));
    // File transfers stream bodies of any size for as long as they take,
    // and answer byte ranges: no body limit, no timeout, no compression.
    let transfers = Router::new()
        .route(
            "/",
            axum::routing::options(dav::options_root).fallback(assets::serve),
        )
        .route("/dav", axum::routing::any(dav::serve))
        .route("/dav/", axum::routing::any(dav::serve))
        .route("/dav/{*path}", axum::routing::any(dav::serve))
        .merge(api::uploads::router())
        .merge(api::office_meter::speedtest_router());
    let all = transfers
        .merge(app)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(CatchPanicLayer::custom(http::panic_response))
        .layer(axum::middleware::from_fn(http::security_headers))
        .layer(axum::middleware::from_fn(http::request_id));
    if state.config.data_meter {
        all.layer(axum::middleware::from_fn_with_state(
            state.clone(),
            meter::count,
        ))
        .with_state(state)
    } else {
        all.with_state(state)
    }
}
