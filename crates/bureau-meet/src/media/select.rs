//! Which layer of a simulcast video a receiver gets, and how many videos:
//! pure functions of the receiver's mode, the size it shows the tile at,
//! its bandwidth estimate, and the layers the publisher actually sends.

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

#[cfg(test)]
mod tests {
    use super::*;

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
