//! Who can work from home: a checklist per person computed from what they
//! hold, their latest connection test and their role, with a verdict; and
//! for the company, the share of people ready and what to buy.

/// What a connection is good enough for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    Video,
    DataSaver,
    AudioOnly,
}

impl Link {
    pub fn as_str(self) -> &'static str {
        match self {
            Link::Video => "video",
            Link::DataSaver => "data_saver",
            Link::AudioOnly => "audio_only",
        }
    }

    pub fn parse(text: &str) -> Option<Link> {
        [Link::Video, Link::DataSaver, Link::AudioOnly]
            .into_iter()
            .find(|l| l.as_str() == text)
    }
}

/// A connection test's figures, as the browser measured them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measured {
    pub down_kbps: i64,
    pub up_kbps: i64,
    pub rtt_ms: i64,
    pub jitter_ms: i64,
    pub loss_pct: f64,
}

/// What the measured link is good for. A normal meeting takes about
/// 1.8 Mbit/s both ways together, data-saver about 0.3, audio 0.05 (the
/// meetings benchmark's figures); round trips, jitter and loss past a
/// point make video useless whatever the throughput.
pub fn verdict(m: &Measured) -> Link {
    if m.down_kbps >= 1500
        && m.up_kbps >= 600
        && m.rtt_ms <= 200
        && m.jitter_ms <= 30
        && m.loss_pct <= 2.0
    {
        Link::Video
    } else if m.down_kbps >= 300
        && m.up_kbps >= 150
        && m.rtt_ms <= 400
        && m.jitter_ms <= 80
        && m.loss_pct <= 5.0
    {
        Link::DataSaver
    } else {
        Link::AudioOnly
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Ready,
    Partly,
    NotReady,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::Partly => "partly",
            Verdict::NotReady => "not_ready",
        }
    }
}

/// An item of the checklist a person lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Missing {
    /// No portable computer.
    Laptop,
    Webcam,
    Microphone,
    /// No connection test in the last 30 days.
    ConnectionTest,
    /// The latest test says data-saver.
    ConnectionSlow,
    /// The latest test says audio only.
    ConnectionPoor,
    /// Their role needs a phone line and they hold none.
    PhoneLine,
    /// A tool they need cannot be reached from home.
    Tools,
}

impl Missing {
    pub fn as_str(self) -> &'static str {
        match self {
            Missing::Laptop => "laptop",
            Missing::Webcam => "webcam",
            Missing::Microphone => "microphone",
            Missing::ConnectionTest => "connection_test",
            Missing::ConnectionSlow => "connection_slow",
            Missing::ConnectionPoor => "connection_poor",
            Missing::PhoneLine => "phone_line",
            Missing::Tools => "tools",
        }
    }

    fn about_the_link(self) -> bool {
        matches!(
            self,
            Missing::ConnectionTest | Missing::ConnectionSlow | Missing::ConnectionPoor
        )
    }
}

/// Everything readiness reads about one person.
#[derive(Clone, Debug, Default)]
pub struct Facts<'a> {
    /// The kinds of the pieces they hold.
    pub holds: Vec<&'a str>,
    /// Their latest connection test: its verdict and age in days.
    pub latest_test: Option<(Link, i64)>,
    pub needs_phone_line: bool,
    /// Tools they need that are not reachable from home.
    pub unreachable_tools: usize,
}

/// A test older than this no longer says anything about the link.
pub const TEST_VALID_DAYS: i64 = 30;

/// The checklist: what is missing, and the verdict. Without a portable
/// computer nobody works from home (not ready); with one, a single missing
/// item, or only the connection, is "partly".
pub fn assess(facts: &Facts) -> (Verdict, Vec<Missing>) {
    let holds = |kind: &str| facts.holds.contains(&kind);
    let mut missing = Vec::new();
    let laptop = holds("laptop");
    if !laptop {
        missing.push(Missing::Laptop);
    }
    // A laptop has a camera and a microphone built in.
    if !laptop && !holds("webcam") {
        missing.push(Missing::Webcam);
    }
    if !laptop && !holds("headset") && !holds("webcam") {
        missing.push(Missing::Microphone);
    }
    match facts.latest_test {
        Some((_, age)) if age > TEST_VALID_DAYS => missing.push(Missing::ConnectionTest),
        None => missing.push(Missing::ConnectionTest),
        Some((Link::Video, _)) => {}
        Some((Link::DataSaver, _)) => missing.push(Missing::ConnectionSlow),
        Some((Link::AudioOnly, _)) => missing.push(Missing::ConnectionPoor),
    }
    if facts.needs_phone_line && !holds("phone_line") && !holds("phone") {
        missing.push(Missing::PhoneLine);
    }
    if facts.unreachable_tools > 0 {
        missing.push(Missing::Tools);
    }
    let verdict = if missing.is_empty() {
        Verdict::Ready
    } else if !laptop {
        Verdict::NotReady
    } else if missing.len() == 1 || missing.iter().all(|m| m.about_the_link()) {
        Verdict::Partly
    } else {
        Verdict::NotReady
    };
    (verdict, missing)
}

/// What would close a person's gap, as kinds of equipment to buy: a laptop
/// brings its camera and microphone, a headset a microphone, a 4G key a
/// link good enough for video.
pub fn to_buy(missing: &[Missing]) -> Vec<&'static str> {
    let mut kinds = Vec::new();
    for item in missing {
        let kind = match item {
            Missing::Laptop => "laptop",
            Missing::Webcam if !missing.contains(&Missing::Laptop) => "webcam",
            Missing::Microphone if !missing.contains(&Missing::Laptop) => "headset",
            Missing::ConnectionSlow | Missing::ConnectionPoor => "4g_key",
            Missing::PhoneLine => "phone_line",
            _ => continue,
        };
        kinds.push(kind);
    }
    kinds
}

/// Estimated unit prices in cents, until the admin sets their own: a
/// mid-range laptop, a 1080p webcam, a wired headset, a 4G key, a
/// softphone line's first month.
pub const DEFAULT_PRICES: [(&str, i64); 5] = [
    ("laptop", 90_000),
    ("webcam", 6_000),
    ("headset", 4_000),
    ("4g_key", 6_000),
    ("phone_line", 1_500),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_from_inventories_and_connection_tests() {
        use Missing::*;
        use Verdict::*;
        let video = Some((Link::Video, 3));
        // (what the person holds, latest test, needs a phone line,
        //  unreachable tools, expected verdict, expected missing items)
        type Case = (
            Vec<&'static str>,
            Option<(Link, i64)>,
            bool,
            usize,
            Verdict,
            Vec<Missing>,
        );
        let cases: Vec<Case> = vec![
            (vec!["laptop"], video, false, 0, Ready, vec![]),
            (vec!["laptop", "phone_line"], video, true, 0, Ready, vec![]),
            (vec!["laptop", "phone"], video, true, 0, Ready, vec![]),
            (vec!["laptop"], video, true, 0, Partly, vec![PhoneLine]),
            (vec!["laptop"], None, false, 0, Partly, vec![ConnectionTest]),
            (
                vec!["laptop"],
                Some((Link::Video, 45)),
                false,
                0,
                Partly,
                vec![ConnectionTest],
            ),
            (
                vec!["laptop"],
                Some((Link::DataSaver, 1)),
                false,
                0,
                Partly,
                vec![ConnectionSlow],
            ),
            (
                vec!["laptop"],
                Some((Link::AudioOnly, 1)),
                false,
                0,
                Partly,
                vec![ConnectionPoor],
            ),
            (
                vec!["laptop"],
                Some((Link::AudioOnly, 1)),
                true,
                0,
                NotReady,
                vec![ConnectionPoor, PhoneLine],
            ),
            (vec!["laptop"], video, false, 2, Partly, vec![Tools]),
            (
                vec!["laptop"],
                None,
                true,
                1,
                NotReady,
                vec![ConnectionTest, PhoneLine, Tools],
            ),
            (
                vec!["desktop", "webcam"],
                video,
                false,
                0,
                NotReady,
                vec![Laptop],
            ),
            (
                vec!["desktop", "headset"],
                video,
                false,
                0,
                NotReady,
                vec![Laptop, Webcam],
            ),
            (
                vec![],
                None,
                false,
                0,
                NotReady,
                vec![Laptop, Webcam, Microphone, ConnectionTest],
            ),
            (
                vec!["4g_key", "sim"],
                video,
                false,
                0,
                NotReady,
                vec![Laptop, Webcam, Microphone],
            ),
        ];
        for (holds, latest_test, needs_phone_line, unreachable_tools, verdict, missing) in cases {
            let facts = Facts {
                holds: holds.clone(),
                latest_test,
                needs_phone_line,
                unreachable_tools,
            };
            assert_eq!(assess(&facts), (verdict, missing), "{facts:?}");
        }
    }

    #[test]
    fn the_shopping_list_buys_what_closes_the_gap() {
        use Missing::*;
        assert_eq!(to_buy(&[Laptop, Webcam, Microphone]), vec!["laptop"]);
        assert_eq!(to_buy(&[Webcam]), vec!["webcam"]);
        assert_eq!(to_buy(&[Microphone]), vec!["headset"]);
        assert_eq!(
            to_buy(&[ConnectionPoor, PhoneLine]),
            vec!["4g_key", "phone_line"]
        );
        assert_eq!(to_buy(&[ConnectionTest, Tools]), Vec::<&str>::new());
    }

    #[test]
    fn links_are_judged_on_every_figure() {
        let good = Measured {
            down_kbps: 20_000,
            up_kbps: 5_000,
            rtt_ms: 30,
            jitter_ms: 5,
            loss_pct: 0.0,
        };
        let cases = [
            (good, Link::Video),
            (
                Measured {
                    down_kbps: 1_000,
                    ..good
                },
                Link::DataSaver,
            ),
            (
                Measured {
                    up_kbps: 400,
                    ..good
                },
                Link::DataSaver,
            ),
            (
                Measured {
                    rtt_ms: 300,
                    ..good
                },
                Link::DataSaver,
            ),
            (
                Measured {
                    jitter_ms: 50,
                    ..good
                },
                Link::DataSaver,
            ),
            (
                Measured {
                    loss_pct: 3.0,
                    ..good
                },
                Link::DataSaver,
            ),
            (
                Measured {
                    down_kbps: 200,
                    ..good
                },
                Link::AudioOnly,
            ),
            (
                Measured {
                    rtt_ms: 800,
                    ..good
                },
                Link::AudioOnly,
            ),
            (
                Measured {
                    loss_pct: 10.0,
                    ..good
                },
                Link::AudioOnly,
            ),
        ];
        for (measured, expected) in cases {
            assert_eq!(verdict(&measured), expected, "{measured:?}");
        }
    }
}
