//! A closed-loop HTTP/1.1 load generator for the edge benchmarks: `N`
//! keep-alive connections, each sending its next request as soon as the
//! previous answer is read, every latency recorded exactly.
//!
//! Why not wrk: Debian's wrk 4.1.0 reports latencies here that break
//! Little's law (2 connections at 12,600 req/s, so a mean of 0.16 ms, but it
//! reports a mean of 5.6 ms and a p99 of 81 ms), so its tail figures are
//! not measurements.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// One request, sent again and again.
#[derive(Clone, Debug)]
pub struct Target {
    /// `host:port`.
    pub address: String,
    pub method: String,
    /// Path and query.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Target {
    /// Parses `http://host:port/path?query`.
    ///
    /// ```
    /// let t = upfront_tools::load::Target::get("http://127.0.0.1:9101/v1/x?key=pk").expect("url");
    /// assert_eq!((t.address.as_str(), t.path.as_str()), ("127.0.0.1:9101", "/v1/x?key=pk"));
    /// ```
    pub fn get(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("only http:// URLs: {url}"))?;
        let (address, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        Ok(Self {
            address: address.to_string(),
            method: "GET".into(),
            path: if path.is_empty() { "/" } else { path }.to_string(),
            headers: Vec::new(),
            body: Vec::new(),
        })
    }

    fn request_bytes(&self) -> Vec<u8> {
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\n",
            self.method, self.path, self.address
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if !self.body.is_empty() || self.method == "POST" {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// What one run measured.
#[derive(Debug, Default)]
pub struct Report {
    pub requests: usize,
    /// Answers outside 2xx and 3xx.
    pub non2xx: usize,
    /// Broken connections (each is reopened).
    pub errors: usize,
    pub seconds: f64,
    /// Every latency, sorted ascending.
    pub latencies: Vec<Duration>,
}

impl Report {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    /// The `p`-quantile latency in milliseconds (`p` in 0..=1).
    pub fn quantile_ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let index = ((self.latencies.len() - 1) as f64 * p).round() as usize;
        self.latencies[index].as_secs_f64() * 1e3
    }

    pub fn mean_ms(&self) -> f64 {
        let total: Duration = self.latencies.iter().sum();
        total.as_secs_f64() * 1e3 / self.latencies.len().max(1) as f64
    }

    /// One JSON line, the shape `tests/bench/run.mjs` reads.
    pub fn json(&self) -> String {
        format!(
            "{{\"rps\":{:.1},\"p50_ms\":{:.3},\"p90_ms\":{:.3},\"p99_ms\":{:.3},\"p999_ms\":{:.3},\"max_ms\":{:.3},\"mean_ms\":{:.3},\"requests\":{},\"non2xx\":{},\"errors\":{}}}",
            self.rps(),
            self.quantile_ms(0.5),
            self.quantile_ms(0.9),
            self.quantile_ms(0.99),
            self.quantile_ms(0.999),
            self.quantile_ms(1.0),
            self.mean_ms(),
            self.requests,
            self.non2xx,
            self.errors
        )
    }
}

/// Runs `connections` closed loops against `target` for `duration`.
pub fn run(target: &Target, connections: usize, duration: Duration) -> Report {
    run_mix(std::slice::from_ref(target), connections, duration)
}

/// Runs `connections` closed loops over `targets` (one address) for
/// `duration`: each connection walks the list in order from its own
/// offset, wrapping, so a recorded traffic mix is replayed as drawn.
pub fn run_mix(targets: &[Target], connections: usize, duration: Duration) -> Report {
    let requests: Vec<Vec<u8>> = targets.iter().map(Target::request_bytes).collect();
    let address = targets
        .first()
        .map(|t| t.address.clone())
        .unwrap_or_default();
    let started = Instant::now();
    let deadline = started + duration;
    let parts: Vec<Report> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..connections)
            .map(|c| {
                let (address, requests) = (&address, &requests);
                let offset = c * requests.len() / connections.max(1);
                scope.spawn(move || connection_loop(address, requests, offset, deadline))
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let mut report = Report {
        seconds: started.elapsed().as_secs_f64(),
        ..Report::default()
    };
    for part in parts {
        report.requests += part.requests;
        report.non2xx += part.non2xx;
        report.errors += part.errors;
        report.latencies.extend(part.latencies);
    }
    report.latencies.sort_unstable();
    report
}

fn connection_loop(
    address: &str,
    requests: &[Vec<u8>],
    offset: usize,
    deadline: Instant,
) -> Report {
    let mut report = Report::default();
    let mut connection = None;
    let mut next = offset;
    while Instant::now() < deadline {
        let request = &requests[next % requests.len()];
        next += 1;
        let stream = match connection.take() {
            Some(stream) => stream,
            None => match open(address) {
                Ok(stream) => stream,
                Err(_) => {
                    report.errors += 1;
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
            },
        };
        let sent = Instant::now();
        match exchange(stream, request) {
            Ok((status, stream)) => {
                report.latencies.push(sent.elapsed());
                report.requests += 1;
                if !(200..400).contains(&status) {
                    report.non2xx += 1;
                }
                connection = stream;
            }
            Err(_) => report.errors += 1,
        }
    }
    report
}

fn open(address: &str) -> io::Result<BufReader<TcpStream>> {
    let stream = TcpStream::connect(address)?;
    stream.set_nodelay(true)?;
    Ok(BufReader::with_capacity(128 * 1024, stream))
}

/// Sends one request and reads its answer whole. Returns the status and the
/// connection, unless the server asked to close it.
fn exchange(
    mut stream: BufReader<TcpStream>,
    request: &[u8],
) -> io::Result<(u16, Option<BufReader<TcpStream>>)> {
    stream.get_mut().write_all(request)?;
    let (status, keep_alive) = read_response(&mut stream)?;
    Ok((status, keep_alive.then_some(stream)))
}

/// Reads one HTTP/1.1 response (a `Content-Length` or chunked body) and
/// returns its status and whether the connection stays open.
pub fn read_response(reader: &mut impl BufRead) -> io::Result<(u16, bool)> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid(format!("not an HTTP status line: {line:?}")))?;
    let mut length = 0usize;
    let mut chunked = false;
    let mut keep_alive = true;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Err(invalid("connection closed in the headers".into()));
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => {
                length = value
                    .parse()
                    .map_err(|_| invalid("bad Content-Length".into()))?
            }
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            "connection" => keep_alive = !value.eq_ignore_ascii_case("close"),
            _ => {}
        }
    }
    if status == 304 || status == 204 {
        return Ok((status, keep_alive));
    }
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim_end(), 16)
                .map_err(|_| invalid("bad chunk size".into()))?;
            skip(reader, size + 2)?; // the chunk and its CRLF
            if size == 0 {
                break;
            }
        }
    } else {
        skip(reader, length)?;
    }
    Ok((status, keep_alive))
}

fn skip(reader: &mut impl BufRead, bytes: usize) -> io::Result<()> {
    let copied = io::copy(&mut reader.take(bytes as u64), &mut io::sink())?;
    if copied as usize == bytes {
        Ok(())
    } else {
        Err(invalid("connection closed in the body".into()))
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_sized_answer_and_leaves_the_next_one_intact() {
        let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nConnection: close\r\n\r\n";
        let mut reader = &wire[..];
        assert_eq!(read_response(&mut reader).expect("response"), (200, true));
        assert_eq!(read_response(&mut reader).expect("response"), (404, false));
        assert!(reader.is_empty());
    }

    #[test]
    fn reads_a_chunked_answer() {
        let wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\na\r\n0123456789\r\n0\r\n\r\nrest";
        let mut reader = &wire[..];
        assert_eq!(read_response(&mut reader).expect("response"), (200, true));
        assert_eq!(reader, b"rest");
    }

    #[test]
    fn a_304_has_no_body_whatever_its_headers_say() {
        let wire = b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\nnext";
        let mut reader = &wire[..];
        assert_eq!(read_response(&mut reader).expect("response"), (304, true));
        assert_eq!(reader, b"next");
    }

    #[test]
    fn a_truncated_body_is_an_error() {
        let wire = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort";
        assert!(read_response(&mut &wire[..]).is_err());
    }

    #[test]
    fn post_requests_carry_their_length() {
        let mut target = Target::get("http://h:1/p").expect("url");
        target.method = "POST".into();
        target.body = b"{}".to_vec();
        target
            .headers
            .push(("Content-Type".into(), "application/json".into()));
        let text = String::from_utf8(target.request_bytes()).expect("text");
        assert_eq!(
            text,
            "POST /p HTTP/1.1\r\nHost: h:1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        );
    }

    #[test]
    fn quantiles_come_from_the_sorted_latencies() {
        let report = Report {
            requests: 100,
            seconds: 2.0,
            latencies: (1..=100).map(Duration::from_millis).collect(),
            ..Report::default()
        };
        assert_eq!(report.rps(), 50.0);
        assert_eq!(report.quantile_ms(0.5), 51.0);
        assert_eq!(report.quantile_ms(0.99), 99.0);
        assert_eq!(report.quantile_ms(1.0), 100.0);
    }
}
