//! bureau's configuration, in layers: defaults < TOML file < `BUREAU_*`
//! environment < command-line flags. Unknown keys are refused by name.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Deserialize;

/// A value that must never reach a log: its `Debug` says `[redacted]`.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// The UDP port of meetings' media unless configured.
pub const DEFAULT_MEDIA_PORT: u16 = 10000;

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// `sqlite:PATH` or `postgres://...`; may hold a password.
    pub database_url: Secret,
    /// Empty for the in-process bus, or `nats://HOST:PORT`.
    pub bus_url: String,
    /// Prefix of every bus subject, so offices can share one NATS.
    pub bus_namespace: String,
    /// A folder, or `s3://...` (not built yet).
    pub blob_url: String,
    pub public_url: String,
    /// Email for people away (mentions and DMs), when an SMTP server is set.
    pub mail: Option<MailConfig>,
    /// Meetings' media: one UDP port for every call.
    pub media_udp: SocketAddr,
    /// Meetings' media where UDP is blocked (ICE-TCP): one TCP port,
    /// by default the same address and port number as `media_udp`.
    pub media_tcp: SocketAddr,
    /// The address browsers send media to, when `media_udp` binds every
    /// interface.
    pub media_public_ip: Option<IpAddr>,
    /// Threads forwarding media (rooms are spread over them).
    pub media_threads: usize,
    /// Count each person's bytes (the office's data meter); on by default.
    pub data_meter: bool,
}

#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://host:25`, `smtp://user:pass@host:587?tls=required` or
    /// `smtps://user:pass@host:465`; may hold a password.
    pub smtp_url: Secret,
    /// The sender: `bureau <bureau@example.com>`.
    pub from: String,
    /// Seconds a mention or DM stays unread before it is emailed.
    pub after_secs: u64,
}

/// One layer: every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<Secret>,
    pub bus_url: Option<String>,
    pub bus_namespace: Option<String>,
    pub blob_url: Option<String>,
    pub public_url: Option<String>,
    pub smtp_url: Option<Secret>,
    pub mail_from: Option<String>,
    /// Seconds (written as text, so the environment can set it too).
    pub email_after: Option<String>,
    pub media_udp: Option<SocketAddr>,
    pub media_tcp: Option<SocketAddr>,
    pub media_public_ip: Option<IpAddr>,
    /// A number (written as text, so the environment can set it too).
    pub media_threads: Option<String>,
    /// `on` or `off`.
    pub data_meter: Option<String>,
}

impl Layer {
    fn over(self, below: Layer) -> Layer {
        Layer {
            listen: self.listen.or(below.listen),
            data_dir: self.data_dir.or(below.data_dir),
            database_url: self.database_url.or(below.database_url),
            bus_url: self.bus_url.or(below.bus_url),
            bus_namespace: self.bus_namespace.or(below.bus_namespace),
            blob_url: self.blob_url.or(below.blob_url),
            public_url: self.public_url.or(below.public_url),
            smtp_url: self.smtp_url.or(below.smtp_url),
            mail_from: self.mail_from.or(below.mail_from),
            email_after: self.email_after.or(below.email_after),
            media_udp: self.media_udp.or(below.media_udp),
            media_tcp: self.media_tcp.or(below.media_tcp),
            media_public_ip: self.media_public_ip.or(below.media_public_ip),
            media_threads: self.media_threads.or(below.media_threads),
            data_meter: self.data_meter.or(below.data_meter),
        }
    }

    /// The `BUREAU_*` variables of `vars`. Not configuration keys:
    /// `BUREAU_CONFIG` (the file), `BUREAU_LOG` (the log filter), and the
    /// test harness's `BUREAU_TEST_*` and `BUREAU_BIN`.
    pub fn from_env(vars: impl Iterator<Item = (String, String)>) -> anyhow::Result<Layer> {
        let mut table = toml::Table::new();
        for (key, value) in vars {
            let Some(name) = key.strip_prefix("BUREAU_") else {
                continue;
            };
            if matches!(name, "CONFIG" | "LOG" | "BIN") || name.starts_with("TEST_") {
                continue;
            }
            let name = name.to_lowercase().replace("__", ".");
            table.insert(name, toml::Value::String(value));
        }
        Layer::deserialize(table)
            .map_err(|e| anyhow::anyhow!("in the BUREAU_* environment: {}", e.message()))
    }

    pub fn from_file(path: &Path) -> anyhow::Result<Layer> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config file {}", path.display()))?;
        toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("in config file {}: {}", path.display(), e.message()))
    }
}

impl Config {
    /// Merges the layers, highest first, over the defaults.
    pub fn resolve(flags: Layer, env: Layer, file: Layer) -> anyhow::Result<Config> {
        let merged = flags.over(env).over(file);
        let listen = merged
            .listen
            .unwrap_or_else(|| "127.0.0.1:8080".parse().expect("a valid address"));
        let data_dir = merged
            .data_dir
            .unwrap_or_else(|| PathBuf::from("bureau-data"));
        let database_url = merged.database_url.unwrap_or_else(|| {
            Secret(format!(
                "sqlite:{}?mode=rwc",
                data_dir.join("bureau.db").display()
            ))
        });
        let public_url = merged.public_url.unwrap_or_else(|| {
            let host = if listen.ip().is_unspecified() {
                "127.0.0.1".to_string()
            } else {
                listen.ip().to_string()
            };
            format!("http://{host}:{}", listen.port())
        });
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            bail!("public_url `{public_url}` must start with http:// or https://");
        }
        let mail = match (merged.smtp_url, merged.mail_from) {
            (None, _) => None,
            (Some(_), None) => bail!("smtp_url is set but mail_from is not: name the sender, like `bureau <bureau@example.com>`"),
            (Some(smtp_url), Some(from)) => {
                let after_secs = match merged.email_after {
                    None => 300,
                    Some(text) => text.trim().parse().map_err(|_| {
                        anyhow::anyhow!("email_after is a number of seconds, not `{text}`")
                    })?,
                };
                Some(MailConfig { smtp_url, from, after_secs })
            }
        };
        let media_udp = merged.media_udp.unwrap_or_else(|| {
            // A server on a port picked at start (tests) picks its media port too.
            let port = if listen.port() == 0 {
                0
            } else {
                DEFAULT_MEDIA_PORT
            };
            SocketAddr::new(listen.ip(), port)
        });
        if media_udp.ip().is_unspecified() && merged.media_public_ip.is_none() {
            bail!("media_udp `{media_udp}` binds every interface: set media_public_ip to the address browsers reach");
        }
        let media_tcp = merged.media_tcp.unwrap_or(media_udp);
        if media_tcp.ip().is_unspecified() && merged.media_public_ip.is_none() {
            bail!("media_tcp `{media_tcp}` binds every interface: set media_public_ip to the address browsers reach");
        }
        let media_threads = match merged.media_threads {
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
            Some(text) => match text.trim().parse::<usize>() {
                Ok(n) if (1..=64).contains(&n) => n,
                _ => bail!("media_threads is a number from 1 to 64, not `{text}`"),
            },
        };
        let data_meter = match merged.data_meter.as_deref().map(str::trim) {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => bail!("data_meter is `on` or `off`, not `{other}`"),
        };
        Ok(Config {
            data_meter,
            mail,
            media_udp,
            media_tcp,
            media_public_ip: merged.media_public_ip,
            media_threads,
            listen,
            blob_url: merged
                .blob_url
                .unwrap_or_else(|| data_dir.join("blobs").display().to_string()),
            data_dir,
            database_url,
            bus_url: merged.bus_url.unwrap_or_default(),
            bus_namespace: merged.bus_namespace.unwrap_or_else(|| "bureau".into()),
            public_url,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> anyhow::Result<Layer> {
        Layer::from_env(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn flags_beat_env_beat_file_beat_defaults() {
        let file: Layer = toml::from_str(
            "listen = \"127.0.0.1:9000\"\nbus_url = \"nats://file\"\ndata_dir = \"/file\"",
        )
        .unwrap();
        let env = env(&[
            ("BUREAU_BUS_URL", "nats://env"),
            ("BUREAU_DATA_DIR", "/env"),
        ])
        .unwrap();
        let flags = Layer {
            data_dir: Some("/flag".into()),
            ..Layer::default()
        };
        let config = Config::resolve(flags, env, file).unwrap();
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.bus_url, "nats://env");
        assert_eq!(config.data_dir, PathBuf::from("/flag"));
        assert_eq!(
            config.database_url.expose(),
            "sqlite:/flag/bureau.db?mode=rwc"
        );
        assert_eq!(config.public_url, "http://127.0.0.1:9000");
    }

    #[test]
    fn unknown_keys_are_named() {
        let err = env(&[("BUREAU_LISTNE", "x")]).unwrap_err().to_string();
        assert!(err.contains("listne"), "{err}");
        let err = toml::from_str::<Layer>("colour = 1")
            .unwrap_err()
            .to_string();
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn the_data_meter_is_on_unless_turned_off() {
        let resolve = |value: Option<&str>| {
            let vars: Vec<(&str, &str)> = value
                .map(|v| ("BUREAU_DATA_METER", v))
                .into_iter()
                .collect();
            Config::resolve(Layer::default(), env(&vars).unwrap(), Layer::default())
        };
        assert!(resolve(None).unwrap().data_meter);
        assert!(resolve(Some("on")).unwrap().data_meter);
        assert!(!resolve(Some("off")).unwrap().data_meter);
        let err = resolve(Some("maybe")).unwrap_err().to_string();
        assert!(err.contains("data_meter"), "{err}");
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let config = Config::resolve(
            Layer {
                database_url: Some(Secret::new("postgres://u:hunter2@db/x".into())),
                ..Layer::default()
            },
            Layer::default(),
            Layer::default(),
        )
        .unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }
}
