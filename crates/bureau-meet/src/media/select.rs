//! Which layer of a simulcast video a receiver gets, and how many videos:
//! pure functions of the receiver's mode, the size it shows the tile at,
//! its bandwidth estimate, and the layers the publisher actually sends; and
//! the mode a weak link is served in ([`LinkWatch`]).

use std::time::{Duration, Instant};

/// What a participant chose to spend on a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    Normal,
    /// At most 180p, at most four videos, the speaker first.
    DataSaver,
    /// No video sent or received.
    AudioOnly,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Normal => "normal",
            Mode::DataSaver => "data-saver",
            Mode::AudioOnly => "audio-only",
        }
    }

    pub fn parse(text: &str) -> Option<Mode> {
        Some(match text {
            "normal" => Mode::Normal,
            "data-saver" => Mode::DataSaver,
            "audio-only" => Mode::AudioOnly,
            _ => return None,
        })
    }

    /// How many videos a receiver in this mode gets at most.
    pub fn max_videos(self) -> usize {
        match self {
            Mode::Normal => 9,
            Mode::DataSaver => 4,
            Mode::AudioOnly => 0,
        }
    }

    /// The stricter of two modes.
    pub fn floor(self, other: Mode) -> Mode {
        self.max(other)
    }
}

/// One simulcast layer a publisher sends: its rid (`None` without
/// simulcast), its height once a keyframe told it, its recent bitrate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layer {
    pub index: usize,
    pub height: Option<u32>,
    pub bits_per_second: u64,
}

/// Tallest video a data-saver receiver gets.
pub const DATA_SAVER_MAX_HEIGHT: u32 = 180;

/// Picks the layer for one tile among `layers` (those seen lately, lowest
/// first): the smallest at least as tall as the tile, lower when the
/// budget (bits per second this tile may use) cannot carry it, never above
/// 180 px in data-saver mode, and always the lowest when nothing fits (a
/// frozen tile is worse than a blurry one). `None` when nothing is sent.
pub fn pick(layers: &[Layer], mode: Mode, tile_height: u32, budget: u64) -> Option<usize> {
    let lowest = layers.first()?;
    if mode == Mode::AudioOnly {
        return None;
    }
    let mut chosen = lowest;
    for layer in layers {
        let height = layer.height.unwrap_or(u32::MAX);
        if mode == Mode::DataSaver && height > DATA_SAVER_MAX_HEIGHT {
            break;
        }
        if layer.bits_per_second > budget {
            break;
        }
        chosen = layer;
        if height >= tile_height {
            break;
        }
    }
    if mode == Mode::DataSaver && chosen.height.is_some_and(|h| h > DATA_SAVER_MAX_HEIGHT) {
        // Even the lowest layer is too tall: a data-saver receiver gets no
        // video rather than more than it asked for.
        return None;
    }
    Some(chosen.index)
}

/// A receiver's link as the shard sees it.
#[derive(Clone, Copy, Debug)]
pub struct Link {
    /// The bandwidth estimate (TWCC), once there is one.
    pub estimate: Option<u64>,
    /// What its slots would take at the layers its tiles want.
    pub desired: u64,
    /// Losses or a long round trip (its quality is not good).
    pub congested: bool,
}

/// The weak-link rule for one receiver: the mode the server applies, its
/// choice made stricter while its link is weak.
#[derive(Clone, Copy, Debug, Default)]
pub struct LinkWatch {
    weak_since: Option<Instant>,
    calm_since: Option<Instant>,
}

/// A link weak this long gets a stricter mode.
const WEAK_FOR: Duration = Duration::from_secs(5);
/// A link calm this long gets its chosen mode back.
const CALM_FOR: Duration = Duration::from_secs(10);

impl LinkWatch {
    /// Weak means congested, with an estimate under what the receiver
    /// wants and under 300 kbit/s (data-saver) or 100 kbit/s (audio-only),
    /// for 5 s. A low estimate alone says nothing: it falls to what is sent
    /// on a link that is simply not asked for more (audio alone, a video
    /// not started yet). The chosen mode comes back once the estimate is
    /// over 600 kbit/s, or after 10 calm seconds (a stricter mode sends
    /// less, so its estimate stays low; a link that cannot carry the
    /// chosen mode is forced down again).
    pub fn mode(&mut self, link: Link, chosen: Mode, applied: Mode, now: Instant) -> Mode {
        let forced = match link.estimate {
            Some(bps) if bps >= link.desired || !link.congested => Mode::Normal,
            Some(bps) if bps < 100_000 => Mode::AudioOnly,
            Some(bps) if bps < 300_000 => Mode::DataSaver,
            _ => Mode::Normal,
        };
        if forced > Mode::Normal {
            self.calm_since = None;
            let since = *self.weak_since.get_or_insert(now);
            if now.duration_since(since) >= WEAK_FOR {
                chosen.floor(forced)
            } else {
                applied.max(chosen)
            }
        } else {
            self.weak_since = None;
            let calm_since = *self.calm_since.get_or_insert(now);
            let strong = link.estimate.is_none_or(|bps| bps >= 600_000)
                || now.duration_since(calm_since) >= CALM_FOR;
            if strong {
                chosen
            } else {
                applied.max(chosen)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the rule once a second over `seconds` with the same link;
    /// returns the mode applied at the end.
    fn over(
        watch: &mut LinkWatch,
        start: Instant,
        seconds: std::ops::Range<u64>,
        link: Link,
        chosen: Mode,
        mut applied: Mode,
    ) -> Mode {
        for second in seconds {
            applied = watch.mode(link, chosen, applied, start + Duration::from_secs(second));
        }
        applied
    }

    #[test]
    fn a_weak_link_is_served_less_and_gets_its_choice_back_when_calm() {
        let start = Instant::now();
        let link = |estimate: u64, congested: bool| Link {
            estimate: Some(estimate),
            desired: 1_500_000,
            congested,
        };
        let normal = Mode::Normal;

        // A low estimate on a calm link (audio alone): nothing forced, ever.
        let mut watch = LinkWatch::default();
        assert_eq!(
            over(
                &mut watch,
                start,
                0..60,
                link(70_000, false),
                normal,
                normal
            ),
            normal
        );

        // Congested under 300 kbit/s: normal for 5 s, then data-saver.
        let mut watch = LinkWatch::default();
        assert_eq!(
            over(&mut watch, start, 0..5, link(200_000, true), normal, normal),
            normal
        );
        let forced = over(&mut watch, start, 5..6, link(200_000, true), normal, normal);
        assert_eq!(forced, Mode::DataSaver);
        // Under 100 kbit/s: audio-only.
        let forced = over(&mut watch, start, 6..12, link(60_000, true), normal, forced);
        assert_eq!(forced, Mode::AudioOnly);
        // Calm again with a low estimate: kept 9 s, given back at 10 s.
        let kept = over(
            &mut watch,
            start,
            12..22,
            link(90_000, false),
            normal,
            forced,
        );
        assert_eq!(kept, Mode::AudioOnly);
        let back = over(&mut watch, start, 22..23, link(90_000, false), normal, kept);
        assert_eq!(back, normal);
        // An estimate over 600 kbit/s gives it back at once.
        let mut watch = LinkWatch::default();
        let forced = over(&mut watch, start, 0..6, link(200_000, true), normal, normal);
        assert_eq!(forced, Mode::DataSaver);
        assert_eq!(
            over(
                &mut watch,
                start,
                6..7,
                link(700_000, false),
                normal,
                forced
            ),
            normal
        );

        // Congested but carrying what it wants: not weak.
        let mut watch = LinkWatch::default();
        let enough = Link {
            estimate: Some(250_000),
            desired: 200_000,
            congested: true,
        };
        assert_eq!(
            over(&mut watch, start, 0..30, enough, normal, normal),
            normal
        );

        // A person's own choice is never relaxed, only made stricter.
        let mut watch = LinkWatch::default();
        let saver = Mode::DataSaver;
        assert_eq!(
            over(
                &mut watch,
                start,
                0..30,
                link(2_000_000, false),
                saver,
                saver
            ),
            saver
        );
        assert_eq!(
            over(&mut watch, start, 30..40, link(50_000, true), saver, saver),
            Mode::AudioOnly
        );
    }

    fn layers() -> Vec<Layer> {
        vec![
            Layer {
                index: 0,
                height: Some(180),
                bits_per_second: 90_000,
            },
            Layer {
                index: 1,
                height: Some(360),
                bits_per_second: 420_000,
            },
            Layer {
                index: 2,
                height: Some(720),
                bits_per_second: 1_300_000,
            },
        ]
    }

    #[test]
    fn the_layer_follows_tile_mode_and_budget() {
        // (mode, tile height, budget) -> layer index
        let cases = [
            (Mode::Normal, 720, 5_000_000, Some(2)),
            (Mode::Normal, 600, 5_000_000, Some(2)),
            (Mode::Normal, 360, 5_000_000, Some(1)),
            (Mode::Normal, 200, 5_000_000, Some(1)),
            (Mode::Normal, 120, 5_000_000, Some(0)),
            (Mode::Normal, 720, 1_000_000, Some(1)),
            (Mode::Normal, 720, 200_000, Some(0)),
            (Mode::Normal, 720, 10_000, Some(0)),
            (Mode::DataSaver, 720, 5_000_000, Some(0)),
            (Mode::DataSaver, 120, 5_000_000, Some(0)),
            (Mode::AudioOnly, 720, 5_000_000, None),
        ];
        for (mode, tile, budget, expected) in cases {
            assert_eq!(
                pick(&layers(), mode, tile, budget),
                expected,
                "{mode:?} {tile} {budget}"
            );
        }
    }

    #[test]
    fn only_what_is_sent_can_be_picked() {
        assert_eq!(pick(&[], Mode::Normal, 720, 5_000_000), None);
        let two = &layers()[..2];
        assert_eq!(pick(two, Mode::Normal, 720, 5_000_000), Some(1));
        // A publisher sending only a 360p layer: data-saver gets nothing.
        let tall = [Layer {
            index: 1,
            height: Some(360),
            bits_per_second: 400_000,
        }];
        assert_eq!(pick(&tall, Mode::DataSaver, 180, 5_000_000), None);
        // Height not known yet (no keyframe seen): the lowest layer.
        let unknown = [Layer {
            index: 0,
            height: None,
            bits_per_second: 0,
        }];
        assert_eq!(pick(&unknown, Mode::DataSaver, 180, 5_000_000), Some(0));
    }
}
