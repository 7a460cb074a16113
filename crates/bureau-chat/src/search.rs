//! Searching messages: the query language, the permission filter, and the
//! follower that keeps the search index (a projection) in step with the
//! event log.

use std::sync::Arc;
use std::time::Duration;

use bureau_bus::Delivery;
use bureau_core::{time, Error, Event, MessageId, Principal, Result};
use bureau_search::{Change, Document, Filters};
use bureau_store::{ChannelRecord, MessageRecord};

use crate::events::{MESSAGE_DELETED, MESSAGE_POSTED, MESSAGE_UPDATED};
use crate::Chat;

/// Most results a search returns.
pub const MAX_RESULTS: usize = 100;
const DAY_MS: i64 = 86_400_000;

/// A search as typed: words, and `in:#channel`, `from:@name`,
/// `before:YYYY-MM-DD`, `after:YYYY-MM-DD`, `has:file`.
#[derive(Debug, Default, PartialEq)]
pub struct SearchQuery {
    pub words: Vec<String>,
    pub channel: Option<String>,
    pub from: Option<String>,
    pub before_ms: Option<i64>,
    pub after_ms: Option<i64>,
    pub has_file: bool,
}

/// A message found, where it is, and which of its bytes matched.
pub struct SearchHit {
    pub message: MessageRecord,
    pub channel: ChannelRecord,
    pub highlights: Vec<(usize, usize)>,
}

pub fn parse_query(text: &str) -> Result<SearchQuery> {
    let invalid = |message: String| Error::invalid("q", message);
    if text.chars().count() > 500 {
        return Err(invalid("a search has at most 500 characters".into()));
    }
    let mut query = SearchQuery::default();
    for part in text.split_whitespace() {
        let Some((key, value)) = part.split_once(':').filter(|(k, _)| {
            matches!(
                *k,
                "in" | "from" | "before" | "after" | "has" | "during" | "on"
            )
        }) else {
            query.words.push(part.to_string());
            continue;
        };
        let value = value.trim();
        match key {
            "in" => {
                let name = value.trim_start_matches('#').to_lowercase();
                if name.is_empty() {
                    return Err(invalid("`in:` names a channel, like in:#general".into()));
                }
                query.channel = Some(name);
            }
            "from" => {
                let name = value.trim_start_matches('@').to_lowercase();
                if name.is_empty() {
                    return Err(invalid("`from:` names a person, like from:@alice".into()));
                }
                query.from = Some(name);
            }
            "before" | "after" | "on" | "during" => {
                let day = time::parse_date(value).ok_or_else(|| {
                    invalid(format!(
                        "`{key}:` takes a date written YYYY-MM-DD, not `{value}`"
                    ))
                })?;
                match key {
                    "before" => query.before_ms = Some(day),
                    "after" => query.after_ms = Some(day + DAY_MS),
                    _ => {
                        query.after_ms = Some(day);
                        query.before_ms = Some(day + DAY_MS);
                    }
                }
            }
            _ => {
                if value != "file" {
                    return Err(invalid(format!("`has:` takes `file`, not `{value}`")));
                }
                query.has_file = true;
            }
        }
    }
    if query.words.len() > 16 {
        return Err(invalid("a search has at most 16 words".into()));
    }
    let filtered = query.channel.is_some() || query.from.is_some() || query.has_file;
    if query.words.is_empty() && !filtered && query.before_ms.is_none() && query.after_ms.is_none()
    {
        return Err(invalid("type what to search for".into()));
    }
    Ok(query)
}

impl Chat {
    /// Messages `who` may read that match `text`, best first.
    pub async fn search(
        &self,
        who: &Principal,
        text: &str,
        limit: usize,
    ) -> Result<Vec<SearchHit>> {
        let query = parse_query(text)?;
        if !(1..=MAX_RESULTS).contains(&limit) {
            return Err(Error::invalid(
                "limit",
                format!("a search returns 1 to {MAX_RESULTS} results"),
            ));
        }
        let store = &self.ports.store;
        let allowed = self.readable_ids(who).await?;
        let mut filters = Filters {
            channels: allowed.iter().map(|c| c.0).collect(),
            author: None,
            after_ms: query.after_ms,
            before_ms: query.before_ms,
            has_file: query.has_file,
        };
        if let Some(name) = &query.channel {
            let channel = store
                .channel_by_name(name)
                .await?
                .filter(|c| allowed.contains(&c.id));
            let channel = channel.ok_or_else(|| {
                Error::invalid("q", format!("no channel #{name} that you can read"))
            })?;
            filters.channels = vec![channel.id.0];
        }
        if let Some(name) = &query.from {
            let user = store
                .user_by_name(name)
                .await?
                .ok_or_else(|| Error::invalid("q", format!("nobody is called @{name}")))?;
            filters.author = Some(user.id.0);
        }
        self.index_caught_up().await;
        let index = self.search.clone();
        let words = query.words.clone();
        let hits = tokio::task::spawn_blocking(move || index.search(&words, &filters, limit))
            .await
            .map_err(Error::internal)?
            .map_err(Error::internal)?;
        let mut results = Vec::with_capacity(hits.len());
        let mut channels: Vec<ChannelRecord> = Vec::new();
        for hit in hits {
            let Some(message) = store.message(MessageId(hit.id)).await? else {
                continue;
            };
            // The index may lag a deletion or a membership change by a moment:
            // the Store decides.
            if message.deleted_at.is_some() || !allowed.contains(&message.channel_id) {
                continue;
            }
            let channel = match channels.iter().find(|c| c.id == message.channel_id) {
                Some(channel) => channel.clone(),
                None => {
                    let Some(channel) = store.channel(message.channel_id).await? else {
                        continue;
                    };
                    channels.push(channel.clone());
                    channel
                }
            };
            let highlights = self.search.highlights(&message.text, &query.words);
            results.push(SearchHit {
                message,
                channel,
                highlights,
            });
        }
        Ok(results)
    }

    /// Waits (a little) until the index reflects every event committed
    /// before the search began, so a person finds what they just wrote.
    async fn index_caught_up(&self) {
        let Ok(target) = self.ports.store.last_seq().await else {
            return;
        };
        let mut progress = self.indexed.subscribe();
        let _ = tokio::time::timeout(
            Duration::from_secs(2),
            progress.wait_for(|seq| *seq >= target),
        )
        .await;
    }

    /// Drops the index and fills it again from the Store's messages;
    /// returns how many messages it holds.
    pub async fn rebuild_index(&self) -> Result<usize> {
        let store = &self.ports.store;
        let seq = store.last_seq().await?;
        let index = self.search.clone();
        tokio::task::spawn_blocking(move || index.clear())
            .await
            .map_err(Error::internal)?
            .map_err(Error::internal)?;
        let mut after = MessageId(0);
        let mut count = 0;
        loop {
            let page = store.messages_after(after, 2000).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            let changes: Vec<Change> = page
                .iter()
                .filter(|m| m.deleted_at.is_none())
                .map(|m| Change::Put(document(m)))
                .collect();
            count += changes.len();
            let index = self.search.clone();
            tokio::task::spawn_blocking(move || index.write(changes, seq))
                .await
                .map_err(Error::internal)?
                .map_err(Error::internal)?;
        }
        let index = self.search.clone();
        tokio::task::spawn_blocking(move || index.write(Vec::new(), seq))
            .await
            .map_err(Error::internal)?
            .map_err(Error::internal)?;
        self.indexed.send_replace(seq);
        Ok(count)
    }

    /// Keeps the index following the event log, woken by the bus and every
    /// two seconds. Rebuilds it first when it is empty while messages exist,
    /// or ahead of the Store (a restored backup).
    pub async fn follow_events(self: Arc<Chat>) {
        let newest = self.ports.store.last_seq().await.unwrap_or(0);
        let stale = self.search.indexed_seq() > newest
            || (self.search.indexed_seq() == 0 && self.search.is_empty());
        if stale {
            match self.rebuild_index().await {
                Ok(count) => tracing::info!(count, "search index rebuilt"),
                Err(err) => tracing::warn!(%err, "search index rebuild failed"),
            }
        }
        let mut wake = match self
            .ports
            .bus
            .subscribe(bureau_accounts::EVENTS_SUBJECT)
            .await
        {
            Ok(subscription) => Some(subscription),
            Err(err) => {
                tracing::warn!(%err, "search indexing polls without the bus");
                None
            }
        };
        let mut cursor = self.search.indexed_seq();
        self.indexed.send_replace(cursor);
        loop {
            match self.index_from(cursor).await {
                Ok(Some(seq)) => {
                    cursor = seq;
                    self.indexed.send_replace(seq);
                    continue;
                }
                Ok(None) => {}
                Err(err) => tracing::warn!(%err, "search indexing failed; retrying"),
            }
            let tick = tokio::time::sleep(Duration::from_secs(2));
            match wake.as_mut() {
                Some(subscription) => {
                    tokio::select! {
                        delivery = subscription.next() => match delivery {
                            Some(Delivery::Message(_) | Delivery::Lagged) => {}
                            None => return,
                        },
                        _ = tick => {}
                    }
                }
                None => tick.await,
            }
        }
    }

    /// Indexes the next events after `cursor`; returns the new cursor, or
    /// `None` when there was nothing new.
    async fn index_from(&self, cursor: i64) -> Result<Option<i64>> {
        let events = self.ports.store.events_since(cursor, 1000).await?;
        let Some(last) = events.last().map(|e| e.seq) else {
            return Ok(None);
        };
        let changes: Vec<Change> = events.iter().filter_map(change_of).collect();
        if !changes.is_empty() {
            let index = self.search.clone();
            tokio::task::spawn_blocking(move || index.write(changes, last))
                .await
                .map_err(Error::internal)?
                .map_err(Error::internal)?;
        }
        Ok(Some(last))
    }
}

/// What a chat event changes in the index.
fn change_of(event: &Event) -> Option<Change> {
    match event.kind.as_str() {
        MESSAGE_POSTED | MESSAGE_UPDATED => {
            let m = &event.data["message"];
            if m["deleted"].as_bool() == Some(true) {
                return Some(Change::Remove(m["id"].as_i64()?));
            }
            Some(Change::Put(Document {
                id: m["id"].as_i64()?,
                channel_id: m["channel_id"].as_i64()?,
                author_id: m["author_id"].as_i64()?,
                created_at_ms: time::parse_rfc3339(m["created_at"].as_str()?)?,
                has_file: m["attachments"].as_array().is_some_and(|a| !a.is_empty()),
                text: m["text"].as_str()?.to_string(),
            }))
        }
        MESSAGE_DELETED => Some(Change::Remove(event.data["id"].as_i64()?)),
        _ => None,
    }
}

fn document(message: &MessageRecord) -> Document {
    Document {
        id: message.id.0,
        channel_id: message.channel_id.0,
        author_id: message.author_id.0,
        created_at_ms: message.created_at,
        has_file: !message.attachments.is_empty(),
        text: message.text.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: SearchQuery) {
        assert_eq!(parse_query(text).unwrap(), expected, "{text}");
    }

    #[test]
    fn queries() {
        check(
            "budget in:#finance from:@Alice",
            SearchQuery {
                words: vec!["budget".into()],
                channel: Some("finance".into()),
                from: Some("alice".into()),
                ..Default::default()
            },
        );
        check(
            "PLT-3699 has:file after:2026-11-01 before:2026-12-01",
            SearchQuery {
                words: vec!["PLT-3699".into()],
                has_file: true,
                after_ms: Some(time::parse_date("2026-11-02").unwrap()),
                before_ms: Some(time::parse_date("2026-12-01").unwrap()),
                ..Default::default()
            },
        );
        check(
            "https://example.com/x",
            SearchQuery {
                words: vec!["https://example.com/x".into()],
                ..Default::default()
            },
        );
        for bad in [
            "",
            "   ",
            "before:yesterday",
            "has:link",
            "in:",
            "from:@",
            &"x ".repeat(300),
        ] {
            assert!(parse_query(bad).is_err(), "{bad:?}");
        }
    }
}
