//! The `bureau` command: `serve`, offline administration, backup and restore.

mod config;
mod ops;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use config::{Config, Layer, Secret};

#[derive(Parser)]
#[command(
    name = "bureau",
    version,
    about = "The whole remote office in one binary"
)]
struct Cli {
    /// A TOML configuration file.
    #[arg(long, global = true, env = "BUREAU_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on for HTTP.
    #[arg(long, global = true)]
    listen: Option<std::net::SocketAddr>,
    /// Folder for the embedded database and files.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// `sqlite:PATH` or `postgres://...`.
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Empty for the in-process bus, or `nats://HOST:PORT`.
    #[arg(long, global = true)]
    bus_url: Option<String>,
    /// A folder for file contents.
    #[arg(long, global = true)]
    blob_url: Option<String>,
    /// The URL people reach bureau at (for links).
    #[arg(long, global = true)]
    public_url: Option<String>,
    /// UDP address of meetings' media (default: the listen IP, port 10000).
    #[arg(long, global = true)]
    media_udp: Option<std::net::SocketAddr>,
    /// TCP address of meetings' media where UDP is blocked (default: the
    /// same as --media-udp).
    #[arg(long, global = true)]
    media_tcp: Option<std::net::SocketAddr>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Starts the office.
    Serve,
    /// Administration that works offline, on the data folder.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Writes a consistent snapshot of the database and files to FILE, while
    /// bureau keeps running.
    Backup {
        #[arg(long)]
        to: PathBuf,
    },
    /// Prints the OpenAPI document of the HTTP API.
    Openapi,
    /// Rebuilds the search index from the database. Stop bureau first.
    Reindex,
    /// Restores a snapshot made by `bureau backup` into the data folder.
    /// Stop bureau first.
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Creates an account; reads its password from standard input.
    CreateUser {
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = ["admin", "member", "guest"])]
        role: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Creates an API token for an account and prints it.
    CreateToken {
        #[arg(long)]
        user: String,
        #[arg(long, default_value = "cli")]
        label: String,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("BUREAU_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Command::Openapi = cli.command {
        println!("{}", bureau_server::openapi_json());
        return Ok(());
    }
    let config = load_config(&cli)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::Serve => ops::serve(config).await,
            Command::Admin(AdminCommand::CreateUser {
                name,
                role,
                display_name,
                ..
            }) => ops::create_user(config, &name, &role, display_name.as_deref()).await,
            Command::Admin(AdminCommand::CreateToken { user, label }) => {
                ops::create_token(config, &user, &label).await
            }
            Command::Backup { to } => ops::backup(config, &to).await,
            Command::Restore { from } => ops::restore(config, &from).await,
            Command::Reindex => ops::reindex(config).await,
            Command::Openapi => unreachable!("answered before the runtime starts"),
        }
    })
}

fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let file = match &cli.config {
        Some(path) => Layer::from_file(path)?,
        None => Layer::default(),
    };
    let env = Layer::from_env(std::env::vars())?;
    let flags = Layer {
        listen: cli.listen,
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone().map(Secret::new),
        bus_url: cli.bus_url.clone(),
        bus_namespace: None,
        blob_url: cli.blob_url.clone(),
        public_url: cli.public_url.clone(),
        media_udp: cli.media_udp,
        media_tcp: cli.media_tcp,
        ..Layer::default()
    };
    Config::resolve(flags, env, file)
}
