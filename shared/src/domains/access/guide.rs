//! The built-in install guide: per platform, the VPN clients a subscriber
//! can use, where to get each and the deep link that adds the subscription
//! to it. Data, not code: the cabinet shows it and the bot can; a panel's
//! own subscription-page configuration may replace it later.

/// A platform a subscriber installs a client on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Platform {
    /// Stable id (`ios`, `android`, `windows`, `macos`, `linux`).
    pub id: &'static str,
    /// The name shown (the same in every language).
    pub name: &'static str,
    /// The clients, recommended first.
    pub apps: &'static [App],
}

/// A VPN client on one platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct App {
    /// The client's name.
    pub name: &'static str,
    /// Where to download it.
    pub download: &'static str,
    /// How the subscription is added with one tap.
    pub link: DeepLink,
}

/// The shape of a client's "add this subscription" link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeepLink {
    /// The scheme's prefix followed by the subscription URL as it is
    /// (`happ://add/https://…`).
    Raw(&'static str),
    /// The prefix followed by the subscription URL percent-encoded
    /// (`clash://install-config?url=https%3A%2F%2F…`).
    Encoded(&'static str),
}

impl DeepLink {
    /// The link that adds `subscription` to the client.
    pub fn for_subscription(self, subscription: &str) -> String {
        match self {
            DeepLink::Raw(prefix) => format!("{prefix}{subscription}"),
            DeepLink::Encoded(prefix) => {
                let encoded: String =
                    form_urlencoded::byte_serialize(subscription.as_bytes()).collect();
                format!("{prefix}{encoded}")
            }
        }
    }
}

const HAPP: DeepLink = DeepLink::Raw("happ://add/");
const V2RAYTUN: DeepLink = DeepLink::Raw("v2raytun://import/");
const HIDDIFY: DeepLink = DeepLink::Raw("hiddify://import/");
const STREISAND: DeepLink = DeepLink::Raw("streisand://import/");
const V2RAYNG: DeepLink = DeepLink::Encoded("v2rayng://install-config?url=");
const CLASH: DeepLink = DeepLink::Encoded("clash://install-config?url=");

const HAPP_DESKTOP: &str = "https://github.com/Happ-proxy/happ-desktop/releases";
const HIDDIFY_RELEASES: &str = "https://github.com/hiddify/hiddify-app/releases";

/// Every platform, in the order the guide lists them.
pub const PLATFORMS: &[Platform] = &[
    Platform {
        id: "ios",
        name: "iOS",
        apps: &[
            App {
                name: "Happ",
                download: "https://apps.apple.com/app/happ-proxy-utility/id6504287215",
                link: HAPP,
            },
            App {
                name: "v2RayTun",
                download: "https://apps.apple.com/app/v2raytun/id6476628951",
                link: V2RAYTUN,
            },
            App {
                name: "Streisand",
                download: "https://apps.apple.com/app/streisand/id6450534064",
                link: STREISAND,
            },
        ],
    },
    Platform {
        id: "android",
        name: "Android",
        apps: &[
            App {
                name: "Happ",
                download: "https://play.google.com/store/apps/details?id=com.happproxy",
                link: HAPP,
            },
            App {
                name: "v2RayTun",
                download: "https://play.google.com/store/apps/details?id=com.v2raytun.android",
                link: V2RAYTUN,
            },
            App {
                name: "v2rayNG",
                download: "https://github.com/2dust/v2rayNG/releases",
                link: V2RAYNG,
            },
            App {
                name: "Hiddify",
                download: HIDDIFY_RELEASES,
                link: HIDDIFY,
            },
        ],
    },
    Platform {
        id: "windows",
        name: "Windows",
        apps: &[
            App {
                name: "Happ",
                download: HAPP_DESKTOP,
                link: HAPP,
            },
            App {
                name: "Hiddify",
                download: HIDDIFY_RELEASES,
                link: HIDDIFY,
            },
            App {
                name: "Clash Verge Rev",
                download: "https://github.com/clash-verge-rev/clash-verge-rev/releases",
                link: CLASH,
            },
        ],
    },
    Platform {
        id: "macos",
        name: "macOS",
        apps: &[
            App {
                name: "Happ",
                download: HAPP_DESKTOP,
                link: HAPP,
            },
            App {
                name: "Streisand",
                download: "https://apps.apple.com/app/streisand/id6450534064",
                link: STREISAND,
            },
            App {
                name: "Clash Verge Rev",
                download: "https://github.com/clash-verge-rev/clash-verge-rev/releases",
                link: CLASH,
            },
        ],
    },
    Platform {
        id: "linux",
        name: "Linux",
        apps: &[
            App {
                name: "Hiddify",
                download: HIDDIFY_RELEASES,
                link: HIDDIFY,
            },
            App {
                name: "Clash Verge Rev",
                download: "https://github.com/clash-verge-rev/clash-verge-rev/releases",
                link: CLASH,
            },
            App {
                name: "FlClash",
                download: "https://github.com/chen08209/FlClash/releases",
                link: CLASH,
            },
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_platform_has_clients_with_https_downloads() {
        let ids: Vec<&str> = PLATFORMS.iter().map(|p| p.id).collect();
        assert_eq!(ids, ["ios", "android", "windows", "macos", "linux"]);
        for p in PLATFORMS {
            assert!(!p.apps.is_empty(), "{}", p.id);
            for a in p.apps {
                assert!(a.download.starts_with("https://"), "{}", a.name);
            }
        }
    }

    #[test]
    fn deep_links_carry_the_subscription() {
        let sub = "https://sub.example/abc?x=1";
        assert_eq!(
            HAPP.for_subscription(sub),
            "happ://add/https://sub.example/abc?x=1"
        );
        assert_eq!(
            CLASH.for_subscription(sub),
            "clash://install-config?url=https%3A%2F%2Fsub.example%2Fabc%3Fx%3D1"
        );
    }
}
