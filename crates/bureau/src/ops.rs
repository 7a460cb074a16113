//! What each command does, wired from the configuration.

use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context};
use bureau_accounts::{Accounts, NewAccount, Ports};
use bureau_bus::Bus;
use bureau_core::{Locale, Role};
use bureau_server::{Server, ServerConfig};
use bureau_store::{Blobs, Store};

use crate::config::Config;

/// The search index's folder in the data folder: a projection that
/// `bureau reindex` rebuilds.
const SEARCH_DIR: &str = "search";

/// Opens the Store, Bus and Blobs that the configuration names.
async fn open_ports(config: &Config) -> anyhow::Result<Ports> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data folder {}", config.data_dir.display()))?;
    let store = Store::connect(config.database_url.expose())
        .await
        .context("opening the database")?;
    let bus = Bus::connect(&config.bus_url, &config.bus_namespace)
        .await
        .context("connecting to the bus")?;
    let blobs = Blobs::open(&config.blob_url, store.clone()).context("opening blob storage")?;
    Ok(Ports { store, bus, blobs })
}

pub async fn serve(config: Config) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let ports = open_ports(&config).await?;
    let store = ports.store.clone();
    let server = Server::build(
        ServerConfig {
            listen: config.listen,
            public_url: config.public_url.clone(),
            search_dir: Some(config.data_dir.join(SEARCH_DIR)),
            data_meter: config.data_meter,
            media: bureau_meet::media::MediaConfig {
                udp: config.media_udp,
                tcp: config.media_tcp,
                public_ip: config.media_public_ip,
                threads: config.media_threads,
            },
            mail: config
                .mail
                .as_ref()
                .map(|mail| bureau_server::MailSettings {
                    smtp_url: mail.smtp_url.expose().to_string(),
                    from: mail.from.clone(),
                    unread_for: std::time::Duration::from_secs(mail.after_secs),
                    every: std::time::Duration::from_secs(mail.after_secs.clamp(1, 30)),
                }),
        },
        ports,
    )
    .await
    .map_err(anyhow::Error::msg)?;
    let stop = shutdown_signal()?;
    let setup = server.state.accounts.open_setup().await?;
    let addr = server.local_addr();
    let public_url = &server.state.config.public_url;
    println!("bureau is serving on {public_url} (listening on {addr})");
    println!("bureau sert sur {public_url} (à l'écoute sur {addr})");
    if let Some(secret) = setup {
        let link = server.state.config.link("setup", &secret);
        println!("Create the first admin / Créez le premier administrateur: {link}");
    }
    tracing::info!(
        %addr,
        ready_ms = started.elapsed().as_millis() as u64,
        "ready"
    );
    server.run(stop).await.context("serving HTTP")?;
    tracing::info!("stopped");
    store.close().await;
    Ok(())
}

/// Registers for SIGTERM and Ctrl-C at once (before bureau says it is
/// serving, so a stop that comes right after is graceful too) and returns
/// what completes when one arrives.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let (mut terminate, mut interrupt) = {
        use tokio::signal::unix::{signal, SignalKind};
        (
            signal(SignalKind::terminate()).context("listening for SIGTERM")?,
            signal(SignalKind::interrupt()).context("listening for Ctrl-C")?,
        )
    };
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = terminate.recv() => {},
            _ = interrupt.recv() => {},
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing requests in flight");
    })
}

/// Rebuilds the search index from the database. Stop bureau first: the
/// index has one writer.
pub async fn reindex(config: Config) -> anyhow::Result<()> {
    let ports = open_ports(&config).await?;
    let index = bureau_search::Index::open(Some(&config.data_dir.join(SEARCH_DIR)))
        .context("opening the search index (is bureau still running?)")?;
    let chat = bureau_chat::Chat::new(ports, index);
    let count = chat.rebuild_index().await?;
    println!("the search index holds {count} messages");
    Ok(())
}

pub async fn create_user(
    config: Config,
    name: &str,
    role: &str,
    display_name: Option<&str>,
) -> anyhow::Result<()> {
    let role = Role::parse(role).context("role is admin, member or guest")?;
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\n', '\r']);
    let accounts = Accounts::new(open_ports(&config).await?);
    let user = accounts
        .create_user_offline(
            NewAccount {
                name,
                display_name: display_name.unwrap_or(name),
                password,
                email: None,
                locale: Locale::En,
            },
            role,
        )
        .await?;
    println!(
        "created {} ({}) with id {}",
        user.name,
        user.role.as_str(),
        user.id
    );
    Ok(())
}

pub async fn create_token(config: Config, user: &str, label: &str) -> anyhow::Result<()> {
    let accounts = Accounts::new(open_ports(&config).await?);
    let secret = accounts.create_token_offline(user, label).await?;
    println!("{secret}");
    Ok(())
}

const DB_ENTRY: &str = "bureau.db";

/// A tar file holding `bureau.db` (a consistent online copy) and `blobs/`.
/// Blobs are immutable and written before the rows that name them, so
/// copying them after the database snapshot misses none it refers to.
pub async fn backup(config: Config, to: &Path) -> anyhow::Result<()> {
    let ports = open_ports(&config).await?;
    let work = tempdir_beside(to)?;
    let snapshot = work.join(DB_ENTRY);
    ports.store.snapshot_to(&snapshot).await?;
    let blobs_root = ports.blobs.root().to_path_buf();
    let to = to.to_path_buf();
    let written = tokio::task::spawn_blocking(move || -> anyhow::Result<u64> {
        let partial = to.with_extension("partial");
        let file = std::fs::File::create(&partial)
            .with_context(|| format!("creating {}", partial.display()))?;
        let mut archive = tar::Builder::new(file);
        archive.append_path_with_name(&snapshot, DB_ENTRY)?;
        let mut count = 0;
        for shard in std::fs::read_dir(&blobs_root)?.flatten() {
            let name = shard.file_name();
            if name == "tmp" || !shard.path().is_dir() {
                continue;
            }
            for blob in std::fs::read_dir(shard.path())?.flatten() {
                let entry = Path::new("blobs").join(&name).join(blob.file_name());
                archive.append_path_with_name(blob.path(), entry)?;
                count += 1;
            }
        }
        let file = archive.into_inner()?;
        file.sync_all()?;
        std::fs::rename(&partial, &to)?;
        std::fs::remove_dir_all(snapshot.parent().expect("snapshot is in a folder"))?;
        Ok(count)
    })
    .await??;
    println!("backed up the database and {written} files");
    Ok(())
}

pub async fn restore(config: Config, from: &Path) -> anyhow::Result<()> {
    if !config.database_url.expose().starts_with("sqlite:") {
        bail!("bureau restore restores SQLite data folders; restore PostgreSQL with pg_restore");
    }
    let data_dir = config.data_dir.clone();
    let blob_dir = std::path::PathBuf::from(&config.blob_url);
    let from = from.to_path_buf();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        std::fs::create_dir_all(&data_dir)?;
        let staging = tempdir_beside(&data_dir.join("restore"))?;
        let file = std::fs::File::open(&from)
            .with_context(|| format!("opening backup {}", from.display()))?;
        let mut archive = tar::Archive::new(file);
        for entry in archive.entries()? {
            let mut entry = entry?;
            // unpack_in refuses entries that would land outside `staging`.
            if !entry.unpack_in(&staging)? {
                bail!("the backup holds a path outside its folder; refusing it");
            }
        }
        let db = staging.join(DB_ENTRY);
        if !db.is_file() {
            bail!(
                "{} is not a bureau backup: it has no {DB_ENTRY}",
                from.display()
            );
        }
        let target = data_dir.join(DB_ENTRY);
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", target.display()));
        }
        std::fs::rename(&db, &target)?;
        let blobs = staging.join("blobs");
        if blobs.is_dir() {
            for shard in std::fs::read_dir(&blobs)?.flatten() {
                let dest = blob_dir.join(shard.file_name());
                std::fs::create_dir_all(&dest)?;
                for blob in std::fs::read_dir(shard.path())?.flatten() {
                    std::fs::rename(blob.path(), dest.join(blob.file_name()))?;
                }
            }
        }
        std::fs::remove_dir_all(&staging)?;
        // The search index described the old database; bureau rebuilds it.
        let _ = std::fs::remove_dir_all(data_dir.join(SEARCH_DIR));
        Ok(())
    })
    .await??;
    println!("restored the backup into {}", config.data_dir.display());
    Ok(())
}

fn tempdir_beside(path: &Path) -> anyhow::Result<std::path::PathBuf> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = parent.join(format!(".bureau-tmp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}
