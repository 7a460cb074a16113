//! One receive slot's numbering. A slot is one stream the receiver's
//! browser sees; behind it the server switches between publishers and
//! simulcast layers. The browser must see one continuous stream: sequence
//! numbers without a jump, timestamps that keep going forward, VP8 picture
//! ids and TL0 indexes that continue. A switch happens only at a keyframe
//! of the new source (audio switches at once); until then the old source
//! keeps flowing.

use std::time::Instant;

/// What identifies a source inside a room: the publisher, its m-line and
/// the simulcast layer (`None` for audio and non-simulcast video).
pub type SourceKey = (u64, str0m::media::Mid, Option<str0m::media::Rid>);

/// The fields of one incoming packet the rewriter reads.
#[derive(Clone, Copy, Debug)]
pub struct In {
    pub source: SourceKey,
    /// Extended sequence number (no wrap).
    pub seq: u64,
    pub timestamp: u32,
    /// Starts a keyframe (always true for audio: any packet may start).
    pub keyframe: bool,
    /// VP8 picture id (15 bits) and TL0PICIDX, when the descriptor has them.
    pub picture_id: Option<u16>,
    pub tl0: Option<u8>,
    pub at: Instant,
}

/// The rewritten fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Out {
    pub seq: u64,
    pub timestamp: u32,
    pub picture_id: Option<u16>,
    pub tl0: Option<u8>,
}

#[derive(Debug)]
pub struct Rewriter {
    clock: u32,
    /// The source being forwarded, and the first sequence number taken
    /// from it (older packets belong to before the switch).
    current: Option<(SourceKey, u64)>,
    /// The source wanted; equal to `current` once switched.
    target: Option<SourceKey>,
    seq_delta: i64,
    ts_delta: u32,
    pid_delta: u16,
    tl0_delta: u8,
    /// Highest sequence number sent, and the timestamp and picture id that
    /// went with the last packet sent.
    last_seq: u64,
    last_ts: u32,
    last_pid: Option<u16>,
    last_tl0: Option<u8>,
    last_at: Option<Instant>,
}

const PICTURE_ID_MASK: u16 = 0x7fff;

impl Rewriter {
    /// `clock`: 90,000 for video, 48,000 for audio. `first_seq` is where
    /// this slot's numbering starts (kept small: str0m expects a first
    /// sequence number in the first roll-over).
    pub fn new(clock: u32, first_seq: u16) -> Rewriter {
        Rewriter {
            clock,
            current: None,
            target: None,
            seq_delta: 0,
            ts_delta: 0,
            pid_delta: 0,
            tl0_delta: 0,
            last_seq: u64::from(first_seq),
            last_ts: 0,
            last_pid: None,
            last_tl0: None,
            last_at: None,
        }
    }

    /// Wants `source` from now on (`None`: nothing). Returns whether this is
    /// a change, so the caller asks the publisher for a keyframe.
    pub fn want(&mut self, source: Option<SourceKey>) -> bool {
        if self.target == source {
            return false;
        }
        self.target = source;
        if source.is_none() {
            self.current = None;
        }
        true
    }

    pub fn target(&self) -> Option<SourceKey> {
        self.target
    }

    pub fn current(&self) -> Option<SourceKey> {
        self.current.map(|(source, _)| source)
    }

    /// Waiting for a keyframe of the target.
    pub fn switching(&self) -> bool {
        self.target.is_some() && self.current() != self.target
    }

    /// The packet as the receiver must see it, or `None` when it is not
    /// forwarded to this slot (another source, or from before a switch).
    pub fn rewrite(&mut self, packet: &In) -> Option<Out> {
        match self.current {
            Some((source, first)) if source == packet.source => {
                if packet.seq < first {
                    return None;
                }
            }
            _ => {
                if self.target != Some(packet.source) || !packet.keyframe {
                    return None;
                }
                self.switch_to(packet);
            }
        }
        let seq = (packet.seq as i64 + self.seq_delta) as u64;
        let out = Out {
            seq,
            timestamp: packet.timestamp.wrapping_add(self.ts_delta),
            picture_id: packet
                .picture_id
                .map(|p| p.wrapping_add(self.pid_delta) & PICTURE_ID_MASK),
            tl0: packet.tl0.map(|t| t.wrapping_add(self.tl0_delta)),
        };
        if seq > self.last_seq || self.last_at.is_none() {
            self.last_seq = seq;
            self.last_ts = out.timestamp;
            self.last_pid = out.picture_id.or(self.last_pid);
            self.last_tl0 = out.tl0.or(self.last_tl0);
            self.last_at = Some(packet.at);
        }
        Some(out)
    }

    fn switch_to(&mut self, packet: &In) {
        let next_seq = if self.last_at.is_some() {
            self.last_seq + 1
        } else {
            self.last_seq
        };
        self.seq_delta = next_seq as i64 - packet.seq as i64;
        match self.last_at {
            Some(last_at) => {
                // Continue from the last timestamp by the time that passed,
                // and by at least one frame (20 ms of audio, 1/30 s of video).
                let elapsed = packet.at.saturating_duration_since(last_at).as_micros() as u64;
                let frame = if self.clock == 48_000 {
                    960
                } else {
                    self.clock / 30
                };
                let ticks =
                    (elapsed * u64::from(self.clock) / 1_000_000).max(u64::from(frame)) as u32;
                let wanted = self.last_ts.wrapping_add(ticks);
                self.ts_delta = wanted.wrapping_sub(packet.timestamp);
            }
            None => self.ts_delta = 0,
        }
        self.pid_delta = match (self.last_pid, packet.picture_id) {
            (Some(last), Some(pid)) => last.wrapping_add(1).wrapping_sub(pid) & PICTURE_ID_MASK,
            _ => 0,
        };
        self.tl0_delta = match (self.last_tl0, packet.tl0) {
            (Some(last), Some(tl0)) => last.wrapping_add(1).wrapping_sub(tl0),
            _ => 0,
        };
        self.current = Some((packet.source, packet.seq));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use str0m::media::{Mid, Rid};

    fn source(peer: u64, rid: &str) -> SourceKey {
        (peer, Mid::from("1"), Some(Rid::from(rid)))
    }

    fn packet(source: SourceKey, seq: u64, ts: u32, keyframe: bool, at: Instant) -> In {
        In {
            source,
            seq,
            timestamp: ts,
            keyframe,
            picture_id: Some((seq as u16) & PICTURE_ID_MASK),
            tl0: Some(seq as u8),
            at,
        }
    }

    #[test]
    fn nothing_flows_before_the_first_keyframe_then_numbering_starts_where_asked() {
        let t0 = Instant::now();
        let mut r = Rewriter::new(90_000, 100);
        let a = source(1, "h");
        assert!(r.want(Some(a)));
        assert!(!r.want(Some(a)), "the same wish is no change");
        assert_eq!(r.rewrite(&packet(a, 5000, 1000, false, t0)), None);
        let first = r.rewrite(&packet(a, 5001, 4000, true, t0)).unwrap();
        assert_eq!(first.seq, 100);
        assert_eq!(first.timestamp, 4000);
        let next = r.rewrite(&packet(a, 5002, 4000, false, t0)).unwrap();
        assert_eq!(next.seq, 101);
        assert!(!r.switching());
    }

    #[test]
    fn a_switch_waits_for_a_keyframe_and_keeps_every_number_continuous() {
        let t0 = Instant::now();
        let mut r = Rewriter::new(90_000, 1);
        let (low, high) = (source(1, "q"), source(1, "h"));
        r.want(Some(low));
        r.rewrite(&packet(low, 70_000, 9_000, true, t0)).unwrap();
        let before = r.rewrite(&packet(low, 70_001, 12_000, false, t0)).unwrap();

        r.want(Some(high));
        assert!(r.switching());
        // The old layer keeps flowing; the new one waits for its keyframe.
        let t1 = t0 + Duration::from_millis(100);
        assert_eq!(r.rewrite(&packet(high, 900, 500_000, false, t1)), None);
        let old = r.rewrite(&packet(low, 70_002, 15_000, false, t1)).unwrap();
        assert_eq!(old.seq, before.seq + 1);

        let t2 = t0 + Duration::from_millis(200);
        let switched = r.rewrite(&packet(high, 901, 600_000, true, t2)).unwrap();
        assert_eq!(switched.seq, old.seq + 1, "no gap in sequence numbers");
        // 100 ms after the last packet sent: 9,000 ticks at 90 kHz.
        assert_eq!(switched.timestamp, 15_000 + 9_000);
        assert_eq!(
            switched.picture_id,
            old.picture_id.map(|p| (p + 1) & PICTURE_ID_MASK)
        );
        assert_eq!(switched.tl0, old.tl0.map(|t| t.wrapping_add(1)));
        assert!(!r.switching());

        // The old layer no longer passes; the new one keeps its offsets,
        // also for a late packet (reordering).
        assert_eq!(r.rewrite(&packet(low, 70_003, 18_000, true, t2)), None);
        let after = r.rewrite(&packet(high, 903, 603_000, false, t2)).unwrap();
        assert_eq!(after.seq, switched.seq + 2);
        assert_eq!(after.timestamp, switched.timestamp + 3_000);
        let late = r.rewrite(&packet(high, 902, 601_500, false, t2)).unwrap();
        assert_eq!(late.seq, switched.seq + 1);
        // A packet from before the switch point is dropped.
        assert_eq!(r.rewrite(&packet(high, 900, 500_000, false, t2)), None);
    }

    #[test]
    fn timestamps_and_picture_ids_wrap_around() {
        let t0 = Instant::now();
        let mut r = Rewriter::new(48_000, 1);
        let (a, b) = (source(1, "f"), source(2, "f"));
        r.want(Some(a));
        let mut p = packet(a, 10, u32::MAX - 100, true, t0);
        p.picture_id = Some(PICTURE_ID_MASK);
        r.rewrite(&p).unwrap();
        r.want(Some(b));
        let mut q = packet(b, 3, 50, true, t0 + Duration::from_millis(20));
        q.picture_id = Some(12);
        let out = r.rewrite(&q).unwrap();
        assert_eq!(out.timestamp, (u32::MAX - 100).wrapping_add(960));
        assert_eq!(out.picture_id, Some(0), "15-bit picture id wraps to 0");
    }

    #[test]
    fn wanting_nothing_stops_at_once() {
        let t0 = Instant::now();
        let mut r = Rewriter::new(90_000, 1);
        let a = source(1, "q");
        r.want(Some(a));
        r.rewrite(&packet(a, 1, 0, true, t0)).unwrap();
        r.want(None);
        assert_eq!(r.rewrite(&packet(a, 2, 3000, false, t0)), None);
        assert_eq!(r.current(), None);
    }
}
