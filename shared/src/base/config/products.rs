//! What is sold besides periods: extra device slots (Bedolaga's
//! `PRICE_PER_DEVICE`, `MAX_DEVICES_LIMIT`), traffic packs added to a
//! period's limit, and remnawave-tg-shop's traffic sale mode
//! (`TRAFFIC_PACKAGES`), where packs are sold instead of months.

use super::error::ConfigError;
use super::parse::{Reader, gigabytes_to_bytes, list_items};
use super::plans::parse_rubles;
use crate::base::types::{Kopecks, Provider, Stars};

/// Extra device slots for sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceSlots {
    /// Price of one extra device for 30 days, in rubles (PRICE_PER_DEVICE, in kopecks as Bedolaga writes it).
    pub rub_month: Option<Kopecks>,
    /// Price of one extra device for 30 days in Stars (STARS_PRICE_PER_DEVICE).
    pub stars_month: Option<Stars>,
    /// Devices a subscription is given without buying any (USER_HWID_DEVICE_LIMIT).
    pub included: u32,
    /// Most devices in all, included ones counted; 0 = no maximum (MAX_DEVICES_LIMIT, default 20).
    pub max_total: u32,
    /// Extra slots are renewed (and priced in) with the period; otherwise a
    /// renewal drops them (EXTRA_DEVICES_RENEW, default true).
    pub renew: bool,
}

/// A pack of traffic and its prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pack {
    /// Size in bytes (2^30 per gigabyte).
    pub bytes: u64,
    /// Price in rubles.
    pub rub: Option<Kopecks>,
    /// Price in Stars.
    pub stars: Option<Stars>,
}

/// Everything sold besides periods.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Products {
    /// Extra devices; `None` when not sold.
    pub devices: Option<DeviceSlots>,
    /// Packs added to a period's traffic limit (TRAFFIC_TOPUP_PACKAGES,
    /// STARS_TRAFFIC_TOPUP_PACKAGES, or Bedolaga's TRAFFIC_TOPUP_PACKAGES_CONFIG).
    pub topup_packs: Vec<Pack>,
    /// Unused pack traffic survives one renewal (TRAFFIC_TOPUP_CARRY_OVER, default false).
    pub carry_over: bool,
    /// Traffic sale mode: packs sold instead of months (TRAFFIC_PACKAGES,
    /// STARS_TRAFFIC_PACKAGES); empty = months are sold.
    pub traffic_packages: Vec<Pack>,
    /// The payment buttons' order (PAYMENT_METHODS_ORDER, remnawave-tg-shop's
    /// slugs); a method not listed is not offered. `None`: every method, in
    /// the bot's own order.
    pub methods_order: Option<Vec<Provider>>,
    /// List entries skipped, one line each naming the setting.
    pub warnings: Vec<String>,
}

impl Products {
    /// Whether the shop sells traffic packages instead of months.
    pub fn traffic_mode(&self) -> bool {
        !self.traffic_packages.is_empty()
    }

    /// The pack of this size, in the list that is on sale.
    pub fn pack(&self, bytes: u64) -> Option<&Pack> {
        let list = if self.traffic_mode() {
            &self.traffic_packages
        } else {
            &self.topup_packs
        };
        list.iter().find(|p| p.bytes == bytes)
    }
}

/// Default of MAX_DEVICES_LIMIT (Bedolaga's).
pub const DEFAULT_MAX_DEVICES: u32 = 20;

pub(super) fn read(r: &Reader<'_>) -> Result<Products, ConfigError> {
    let mut warnings = Vec::new();
    let rub_month = r
        .whole::<u64>("PRICE_PER_DEVICE")?
        .filter(|k| *k > 0)
        .map(Kopecks);
    let stars_month = r
        .whole::<u32>("STARS_PRICE_PER_DEVICE")?
        .filter(|s| *s > 0)
        .map(Stars);
    let max_total = r
        .whole::<u32>("MAX_DEVICES_LIMIT")?
        .unwrap_or(DEFAULT_MAX_DEVICES);
    let renew = r.flag("EXTRA_DEVICES_RENEW", true)?;
    let devices = match (rub_month, stars_month) {
        (None, None) => None,
        _ => {
            let name = if rub_month.is_some() {
                "PRICE_PER_DEVICE"
            } else {
                "STARS_PRICE_PER_DEVICE"
            };
            let included = match r.whole::<u32>("USER_HWID_DEVICE_LIMIT")? {
                Some(n) if n > 0 => n,
                _ => {
                    return Err(ConfigError::Conflict {
                        name,
                        problem: "extra devices are sold on top of a device limit: set USER_HWID_DEVICE_LIMIT to the devices a subscription includes (above 0)".into(),
                    });
                }
            };
            if max_total != 0 && max_total <= included {
                return Err(ConfigError::Conflict {
                    name: "MAX_DEVICES_LIMIT",
                    problem: format!(
                        "{max_total} leaves no device to sell above USER_HWID_DEVICE_LIMIT={included} (0 = no maximum)"
                    ),
                });
            }
            Some(DeviceSlots {
                rub_month,
                stars_month,
                included,
                max_total,
                renew,
            })
        }
    };

    let mut topup_packs = packs(
        r,
        "TRAFFIC_TOPUP_PACKAGES",
        "STARS_TRAFFIC_TOPUP_PACKAGES",
        &mut warnings,
    );
    if topup_packs.is_empty() {
        topup_packs = bedolaga_packs(r, &mut warnings);
    }
    let carry_over = r.flag("TRAFFIC_TOPUP_CARRY_OVER", false)?;
    let traffic_packages = packs(
        r,
        "TRAFFIC_PACKAGES",
        "STARS_TRAFFIC_PACKAGES",
        &mut warnings,
    );
    let methods_order = r.raw("PAYMENT_METHODS_ORDER").map(|raw| {
        let mut order = Vec::new();
        for slug in list_items(raw) {
            match slug.to_ascii_lowercase().as_str() {
                "yookassa" => order.push(Provider::Yookassa),
                "cryptopay" => order.push(Provider::Cryptopay),
                "freekassa" => order.push(Provider::Freekassa),
                "stars" => order.push(Provider::Stars),
                "platega" => order.push(Provider::Platega),
                "severpay" => order.push(Provider::Severpay),
                other => warnings.push(format!(
                    "PAYMENT_METHODS_ORDER: unknown method \"{other}\" ignored"
                )),
            }
        }
        order.dedup();
        order
    });
    Ok(Products {
        devices,
        topup_packs,
        carry_over,
        traffic_packages,
        methods_order,
        warnings,
    })
}

/// One `GB:price` list entry: the bytes and the price text, or why not.
fn entry(chunk: &str) -> Option<(u64, &str)> {
    let (gb, price) = chunk.split_once(':')?;
    let bytes = gigabytes_to_bytes(gb.trim()).filter(|b| *b > 0)?;
    Some((bytes, price.trim()))
}

/// Packs from a `GB:rubles` list and a `GB:stars` list, merged by size, in
/// the order first written; a bad entry is skipped with a warning, as
/// remnawave-tg-shop does.
fn packs(
    r: &Reader<'_>,
    rub_name: &'static str,
    stars_name: &'static str,
    warnings: &mut Vec<String>,
) -> Vec<Pack> {
    let mut out: Vec<Pack> = Vec::new();
    let mut skip = |name: &str, chunk: &str, why: &str| {
        warnings.push(format!("{name}: entry \"{chunk}\" skipped: {why}"));
    };
    for chunk in list_items(r.raw(rub_name).unwrap_or("")) {
        let Some((bytes, price)) = entry(chunk) else {
            skip(rub_name, chunk, "expected GB:rubles, e.g. 10:199");
            continue;
        };
        let Some(rub) = parse_rubles(price) else {
            skip(
                rub_name,
                chunk,
                "the price is not a positive number of rubles",
            );
            continue;
        };
        if out.iter().any(|p| p.bytes == bytes) {
            skip(rub_name, chunk, "the same size is listed twice");
            continue;
        }
        out.push(Pack {
            bytes,
            rub: Some(rub),
            stars: None,
        });
    }
    for chunk in list_items(r.raw(stars_name).unwrap_or("")) {
        let Some((bytes, price)) = entry(chunk) else {
            skip(stars_name, chunk, "expected GB:stars, e.g. 10:150");
            continue;
        };
        let Some(stars) = price.parse::<u32>().ok().filter(|s| *s > 0) else {
            skip(
                stars_name,
                chunk,
                "the price is not a positive whole number of Stars",
            );
            continue;
        };
        match out.iter_mut().find(|p| p.bytes == bytes) {
            Some(p) if p.stars.is_some() => {
                skip(stars_name, chunk, "the same size is listed twice");
            }
            Some(p) => p.stars = Some(Stars(stars)),
            None => out.push(Pack {
                bytes,
                rub: None,
                stars: Some(Stars(stars)),
            }),
        }
    }
    out
}

/// Bedolaga's `TRAFFIC_TOPUP_PACKAGES_CONFIG` (`GB:kopecks:enabled`); its
/// `0` GB ("unlimited") is not a pack that adds traffic, so it is skipped.
fn bedolaga_packs(r: &Reader<'_>, warnings: &mut Vec<String>) -> Vec<Pack> {
    const NAME: &str = "TRAFFIC_TOPUP_PACKAGES_CONFIG";
    let mut out: Vec<Pack> = Vec::new();
    for chunk in list_items(r.raw(NAME).unwrap_or("")) {
        let parts: Vec<&str> = chunk.split(':').map(str::trim).collect();
        let parsed = match parts.as_slice() {
            [gb, kopecks, enabled] => gigabytes_to_bytes(gb).zip(
                kopecks
                    .parse::<u64>()
                    .ok()
                    .filter(|k| *k > 0)
                    .map(|k| (k, enabled.eq_ignore_ascii_case("true"))),
            ),
            _ => None,
        };
        match parsed {
            Some((0, _)) => warnings.push(format!(
                "{NAME}: entry \"{chunk}\" skipped: unlimited traffic is not a pack"
            )),
            Some((bytes, (kopecks, true))) if !out.iter().any(|p| p.bytes == bytes) => {
                out.push(Pack {
                    bytes,
                    rub: Some(Kopecks(kopecks)),
                    stars: None,
                })
            }
            Some((_, (_, false))) => {}
            _ => warnings.push(format!(
                "{NAME}: entry \"{chunk}\" skipped: expected GB:kopecks:true"
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::Vars;
    use super::*;

    fn read_with(pairs: &[(&str, &str)]) -> Result<Products, ConfigError> {
        let mut v = Vars::default();
        for (k, val) in pairs {
            v.set(k, val);
        }
        read(&Reader(&v))
    }

    const GB: u64 = 1 << 30;

    #[test]
    fn traffic_packages_are_read_as_remnawave_tg_shop_reads_them() {
        let p = read_with(&[
            ("TRAFFIC_PACKAGES", "10:199, 0.5:49,abc,5:-1,50:799"),
            ("STARS_TRAFFIC_PACKAGES", "10:150,100:900,7:x"),
        ])
        .expect("reads");
        assert!(p.traffic_mode());
        let sizes: Vec<u64> = p.traffic_packages.iter().map(|p| p.bytes).collect();
        assert_eq!(sizes, vec![10 * GB, GB / 2, 50 * GB, 100 * GB]);
        assert_eq!(p.traffic_packages[0].rub, Some(Kopecks(19_900)));
        assert_eq!(p.traffic_packages[0].stars, Some(Stars(150)));
        assert_eq!(p.traffic_packages[3].rub, None);
        assert_eq!(p.warnings.len(), 3, "{:?}", p.warnings);
        assert!(p.warnings.iter().all(|w| w.contains("skipped")));
    }

    #[test]
    fn devices_need_an_included_limit() {
        let err = read_with(&[("PRICE_PER_DEVICE", "10000")]).unwrap_err();
        assert_eq!(err.setting(), Some("PRICE_PER_DEVICE"));
        let p = read_with(&[
            ("PRICE_PER_DEVICE", "10000"),
            ("USER_HWID_DEVICE_LIMIT", "2"),
            ("MAX_DEVICES_LIMIT", "5"),
        ])
        .expect("reads");
        let d = p.devices.expect("sold");
        assert_eq!(d.rub_month, Some(Kopecks(10_000)));
        assert_eq!((d.included, d.max_total, d.renew), (2, 5, true));
        let err = read_with(&[
            ("STARS_PRICE_PER_DEVICE", "50"),
            ("USER_HWID_DEVICE_LIMIT", "3"),
            ("MAX_DEVICES_LIMIT", "3"),
        ])
        .unwrap_err();
        assert_eq!(err.setting(), Some("MAX_DEVICES_LIMIT"));
    }

    #[test]
    fn the_payment_methods_order_is_read_as_remnawave_tg_shop_reads_it() {
        let p = read_with(&[(
            "PAYMENT_METHODS_ORDER",
            "Stars, severpay,FREEKASSA,foo,yookassa",
        )])
        .expect("reads");
        assert_eq!(
            p.methods_order,
            Some(vec![
                Provider::Stars,
                Provider::Severpay,
                Provider::Freekassa,
                Provider::Yookassa
            ])
        );
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
        assert_eq!(read_with(&[]).expect("reads").methods_order, None);
    }

    #[test]
    fn bedolaga_topup_packs_are_kopecks_and_can_be_off() {
        let p = read_with(&[(
            "TRAFFIC_TOPUP_PACKAGES_CONFIG",
            "5:2000:true,10:3500:false,0:20000:true,x",
        )])
        .expect("reads");
        assert_eq!(
            p.topup_packs,
            vec![Pack {
                bytes: 5 * GB,
                rub: Some(Kopecks(2000)),
                stars: None
            }]
        );
        assert_eq!(p.warnings.len(), 2);
        assert!(!p.traffic_mode());
    }
}
