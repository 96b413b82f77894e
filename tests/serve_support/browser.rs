//! Headless Chromium driven over WebDriver (Debian's chromedriver), for the tests that
//! look at the preview in a real browser.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// False (after saying so) when Chromium or chromedriver is missing on a developer's
/// machine; a failure under CI=true, which must have them.
pub fn available() -> bool {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    assert!(
        !ci,
        "{CHROMIUM} or {CHROMEDRIVER} is missing; CI must run scripts/install-browser.sh"
    );
    eprintln!("skipped: no {CHROMIUM} or {CHROMEDRIVER} (run scripts/install-browser.sh)");
    false
}

/// Chromium under chromedriver, with one session.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub fn start() -> Browser {
        Browser::start_sized(1000, 700)
    }

    /// A browser window of `width` x `height` CSS pixels.
    pub fn start_sized(width: u32, height: u32) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let profile = tempfile::tempdir().expect("profile dir");
        let deadline = Instant::now() + Duration::from_secs(20);
        while !ready(&base) {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--window-size={width},{height}"),
            &format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
        }}});
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            _profile: profile,
        };
        let reply = browser.call("POST", "/session", Some(caps));
        browser.session = reply["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {reply}"))
            .to_string();
        browser
    }

    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let reply = match (method, body) {
            ("POST", Some(b)) => agent.post(&url).send_json(b),
            ("DELETE", _) => agent.delete(&url).call(),
            _ => agent.get(&url).call(),
        };
        let mut reply = reply.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let v: Value = reply
            .body_mut()
            .read_json()
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert!(v["value"].get("error").is_none(), "{method} {path}: {v}");
        v["value"].clone()
    }

    pub fn session(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    pub fn go(&self, url: &str) {
        self.call("POST", &self.session("/url"), Some(json!({ "url": url })));
    }

    pub fn run(&self, script: &str) -> Value {
        let body = json!({ "script": script, "args": [] });
        self.call("POST", &self.session("/execute/sync"), Some(body))
    }

    /// A script that calls its last argument with the result (for promises).
    pub fn run_async(&self, script: &str) -> Value {
        let body = json!({ "script": script, "args": [] });
        self.call("POST", &self.session("/execute/async"), Some(body))
    }

    /// A Chrome DevTools command, through chromedriver.
    pub fn cdp(&self, cmd: &str, params: Value) -> Value {
        let body = json!({ "cmd": cmd, "params": params });
        self.call("POST", &self.session("/goog/cdp/execute"), Some(body))
    }

    /// `light` or `dark`, as the operating system would say.
    pub fn color_scheme(&self, scheme: &str) {
        let features = json!([{ "name": "prefers-color-scheme", "value": scheme }]);
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": features }),
        );
    }

    /// Resize the window, as a phone or a desktop would show the page.
    pub fn resize(&self, width: u32, height: u32) {
        let rect = json!({ "width": width, "height": height });
        self.call("POST", &self.session("/window/rect"), Some(rect));
    }

    /// The size of the page's window in CSS pixels; `mobile` for a phone.
    pub fn viewport(&self, width: u32, height: u32, mobile: bool) {
        let params = json!({
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile,
        });
        self.cdp("Emulation.setDeviceMetricsOverride", params);
    }

    /// The text of serve's error overlay, or None when it is not shown.
    pub fn error_overlay(&self) -> Option<String> {
        let script =
            "var o = document.getElementById('staffroom-error'); return o ? o.innerText : null;";
        self.run(script).as_str().map(str::to_string)
    }

    /// Waits for the error overlay to show `needle` (a file and line).
    pub fn wait_for_error_overlay(&self, needle: &str) {
        self.wait_until("the error overlay shows", |b| {
            b.error_overlay().is_some_and(|t| t.contains(needle))
        });
    }

    pub fn text(&self) -> String {
        let v = self.run("return document.body ? document.body.innerText : '';");
        v.as_str().unwrap_or_default().to_string()
    }

    pub fn wait_until(&self, what: &str, done: impl Fn(&Browser) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !done(self) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting until {what}; page text:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn screenshot(&self, to: &Path) {
        let png = self.call("GET", &self.session("/screenshot"), None);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap_or_default())
            .expect("a PNG in base64");
        std::fs::write(to, bytes).expect("write the screenshot");
    }
}

fn ready(base: &str) -> bool {
    ureq::get(&format!("{base}/status"))
        .call()
        .ok()
        .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
        .is_some_and(|v| v["value"]["ready"] == json!(true))
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.call("DELETE", &self.session(""), None)
            }));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
