//! IP allow-lists for payment notifications: `IpNet`, an `ipnet` network that also reads a bare address, and `allowed`.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An IP network such as `185.71.76.0/27` or `2a02:5180::/32`; a bare address is a single-host network.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpNet(ipnet::IpNet);

/// The text is not an IP address or CIDR network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected an IP address or network such as 1.2.3.4 or 1.2.3.0/24")]
pub struct IpNetError;

impl IpNet {
    /// The network of `addr` with `prefix` bits (host bits are cleared); fails when the prefix is too long.
    pub fn new(addr: IpAddr, prefix: u8) -> Result<IpNet, IpNetError> {
        ipnet::IpNet::new(addr, prefix)
            .map(|net| IpNet(net.trunc()))
            .map_err(|_| IpNetError)
    }

    /// The network address.
    pub fn addr(&self) -> IpAddr {
        self.0.network()
    }

    /// The prefix length in bits.
    pub fn prefix(&self) -> u8 {
        self.0.prefix_len()
    }

    /// Whether `ip` is in this network (an IPv4-mapped IPv6 address counts as its IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match (self.0, ip) {
            (ipnet::IpNet::V4(_), IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => return false,
            },
            (ipnet::IpNet::V6(_), IpAddr::V4(v4)) => IpAddr::V6(v4.to_ipv6_mapped()),
            _ => ip,
        };
        self.0.contains(&ip)
    }
}

impl FromStr for IpNet {
    type Err = IpNetError;

    /// Spaces around the text, the address and the prefix are ignored; the prefix is decimal digits only.
    fn from_str(s: &str) -> Result<IpNet, IpNetError> {
        let s = s.trim();
        match s.split_once('/') {
            Some((addr, prefix)) => {
                let addr: IpAddr = addr.trim().parse().map_err(|_| IpNetError)?;
                let prefix = prefix.trim();
                if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(IpNetError);
                }
                IpNet::new(addr, prefix.parse().map_err(|_| IpNetError)?)
            }
            None => {
                let addr: IpAddr = s.parse().map_err(|_| IpNetError)?;
                Ok(IpNet(ipnet::IpNet::from(addr)))
            }
        }
    }
}

/// `IpNet { addr: …, prefix: … }`, as settings have always been printed.
impl fmt::Debug for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IpNet")
            .field("addr", &self.addr())
            .field("prefix", &self.prefix())
            .finish()
    }
}

/// `addr/prefix`, e.g. `10.0.0.0/8`.
impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Whether `ip` is in any network of `list`.
pub fn allowed(list: &[IpNet], ip: IpAddr) -> bool {
    list.iter().any(|net| net.contains(ip))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn ip_nets() {
        let net: IpNet = "185.71.76.0/27".parse().unwrap();
        assert!(net.contains("185.71.76.31".parse().unwrap()));
        assert!(!net.contains("185.71.76.32".parse().unwrap()));
        assert!(!net.contains("2a02:5180::1".parse().unwrap()));
        assert!(net.contains(IpAddr::V6(Ipv4Addr::new(185, 71, 76, 1).to_ipv6_mapped())));

        let host: IpNet = " 77.75.156.11 ".parse().unwrap();
        assert_eq!(host.prefix(), 32);
        assert!(host.contains("77.75.156.11".parse().unwrap()));
        assert!(!host.contains("77.75.156.12".parse().unwrap()));

        let v6: IpNet = "2a02:5180::/32".parse().unwrap();
        assert!(v6.contains("2a02:5180:ffff::1".parse().unwrap()));
        assert!(!v6.contains("2a02:5181::1".parse().unwrap()));
        assert!(!v6.contains("185.71.76.1".parse().unwrap()));

        let all4: IpNet = "0.0.0.0/0".parse().unwrap();
        assert!(all4.contains(IpAddr::V4(Ipv4Addr::BROADCAST)));
        let all6: IpNet = "::/0".parse().unwrap();
        assert!(all6.contains(IpAddr::V6(Ipv6Addr::LOCALHOST)));

        let masked: IpNet = "10.1.2.3/8".parse().unwrap();
        assert_eq!(masked.to_string(), "10.0.0.0/8");

        for bad in [
            "1.2.3.4/33",
            "::/129",
            "1.2.3",
            "1.2.3.4/",
            "1.2.3.4/x",
            "host",
            "1.2.3.4/-1",
        ] {
            assert!(bad.parse::<IpNet>().is_err(), "{bad}");
        }
    }
}
