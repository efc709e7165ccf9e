//! The year-end desk (`khuyencong xem`, issue 22): a real server on a free
//! loopback port with a private copy of the data and templates, spoken to
//! over HTTP here, and driven in a real browser by
//! `tests/trinh-duyet/ban_lam_viec.py` (Chromium through WebDriver).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{copy_dir, have_tool, root, said, scratch};
use khuyencong::excel::form::{self, Cell};
use khuyencong::excel::{self as excel, SHEET_ACTIVITIES};
use khuyencong::validate::{self, Dataset};

/// A running desk over a private folder; stopped when dropped.
struct Desk {
    child: Child,
    address: String,
    dir: PathBuf,
}

impl Desk {
    /// The sample's data and templates copied into a folder of this test,
    /// `prepare` run on it, then the desk started on a free port.
    fn start(name: &str, prepare: impl FnOnce(&Path)) -> Desk {
        let dir = scratch(name);
        copy_dir(&root().join("input"), &dir.join("input"));
        copy_dir(&root().join("templates"), &dir.join("templates"));
        prepare(&dir);
        Desk::run(dir, &[], &[])
    }

    fn run(dir: PathBuf, args: &[&str], env: &[(&str, &str)]) -> Desk {
        // Run from the folder, as a clerk does: files are named as
        // `templates/bao-cao.md`.
        let mut child = Command::new(env!("CARGO_BIN_EXE_khuyencong"))
            .current_dir(&dir)
            .arg("xem")
            .args(["--input", "input", "--templates", "templates"])
            .args(["--output", "output"])
            .args(["--cong", "0"])
            .args(args)
            .env_remove(khuyencong::desk::PASSWORD_ENV)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .map(|a| {
                a.replace("0.0.0.0", "127.0.0.1")
                    .replace("ĐỊA_CHỈ_MÁY_NÀY", "")
            })
            .unwrap_or_else(|| {
                let mut err = String::new();
                let _ = child.stderr.take().unwrap().read_to_string(&mut err);
                panic!("bàn làm việc không mở: {line}{err}")
            });
        Desk {
            child,
            address,
            dir,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    fn get(&self, path: &str) -> Answer {
        self.request("GET", path, &[], b"")
    }

    /// A POST as the desk's own pages send it.
    fn post(&self, path: &str, kind: &str, body: &[u8]) -> Answer {
        let origin = self.url();
        self.request(
            "POST",
            path,
            &[("Origin", &origin), ("Content-Type", kind)],
            body,
        )
    }

    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
        let mut all = vec![("Host", self.address.as_str())];
        all.extend_from_slice(headers);
        http(&self.address, method, path, &all, body)
    }

    /// Waits until `path` answers with `text` in its body.
    fn wait_for(&self, path: &str, text: &str) -> Answer {
        let start = Instant::now();
        loop {
            let answer = self.get(path);
            if answer.body.contains(text) {
                return answer;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{path} không có {text:?} sau 10 giây:\n{}",
                answer.body
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Desk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Kept when the test failed, to look at.
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// An HTTP answer.
struct Answer {
    status: u16,
    head: String,
    bytes: Vec<u8>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then_some(v.trim())
        })
    }
}

/// One request over HTTP/1.0 (the answer ends when the connection closes),
/// written byte for byte: the hostile requests below are ones a client
/// library would refuse to send.
fn http(address: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let mut request = format!("{method} {path} HTTP/1.0\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP answer");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let bytes = raw[split + 4..].to_vec();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    Answer {
        status,
        head,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    }
}

/// A multipart body of `files` (name, bytes) in the field the page uses.
fn multipart(files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----kc-ranh-gioi-7d3f";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"bieu_mau\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A form's JSON text, read against the sample's plan as `nhap` reads it.
fn form_json(bytes: &[u8]) -> String {
    let data: Dataset = validate::load(&[root().join("input")], &[], None).unwrap();
    let name = Path::new("bieu-mau.xlsx");
    let mut diags = khuyencong::diagnostic::Diagnostics::default();
    let file = khuyencong::load::from_bytes(name, bytes, &mut diags).expect("a form");
    let khuyencong::load::Content::Form(book) = &file.content else {
        panic!("not a form")
    };
    khuyencong::excel::import::read(name, book, &data.plan.value)
        .unwrap_or_else(|d| panic!("{d}"))
        .json
}

const UNIT: &str = "739";
const UNIT_FILE: &str = "input/bao-cao/739-cam-my.json";

/// The filled form of unit 739 (from its submission in the sample), and the
/// same with a money cell of its first activity at 1.500,5 đồng.
fn forms_of_unit() -> (Vec<u8>, Vec<u8>, String) {
    let data: Dataset = validate::load(&[root().join("input")], &[], None).unwrap();
    let plan = &data.plan.value;
    let unit = plan.don_vi.iter().find(|u| u.ma == UNIT).unwrap();
    let sub = common::counted(&data, UNIT);
    let right = form::entries(plan, &sub.value, sub.value.lan_nop);
    let columns = excel::activity_columns(plan);
    let mut wrong = right.clone();
    let money = wrong
        .iter_mut()
        .find(|e| {
            e.sheet == SHEET_ACTIVITIES
                && e.row == excel::FIRST_DATA_ROW
                && columns[usize::from(e.col)].kind == excel::ColumnKind::Money
                && matches!(e.cell, Cell::Number(n) if n > 0.0)
        })
        .expect("a money cell");
    money.cell = Cell::Number(1500.5);
    let cell = excel::cell_name(SHEET_ACTIVITIES, money.row, money.col);
    (
        form::write(plan, unit, &right).unwrap(),
        form::write(plan, unit, &wrong).unwrap(),
        cell,
    )
}

#[test]
fn another_address_needs_a_password() {
    let dir = scratch("desk-password");
    copy_dir(&root().join("input"), &dir.join("input"));
    copy_dir(&root().join("templates"), &dir.join("templates"));
    let out = Command::new(env!("CARGO_BIN_EXE_khuyencong"))
        .args(["xem", "--dia-chi", "0.0.0.0", "--cong", "0", "--input"])
        .arg(dir.join("input"))
        .arg("--output")
        .arg(dir.join("output"))
        .env_remove(khuyencong::desk::PASSWORD_ENV)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cần mật khẩu") && stderr.contains("--mat-khau"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "nothing served");

    // With the password (here from the environment), every request needs it.
    let desk = Desk::run(
        dir,
        &["--dia-chi", "0.0.0.0"],
        &[(khuyencong::desk::PASSWORD_ENV, "mật khẩu 1")],
    );
    let without = desk.get("/");
    assert_eq!(without.status, 401);
    assert!(without.header("www-authenticate").is_some());
    let auth = |password: &str| {
        use base64::Engine;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("van-thu:{password}"))
        )
    };
    let wrong = desk.request("GET", "/", &[("Authorization", &auth("mật khẩu 2"))], b"");
    assert_eq!(wrong.status, 401);
    let right = desk.request("GET", "/", &[("Authorization", &auth("mật khẩu 1"))], b"");
    assert_eq!(right.status, 200);
    assert!(right.body.contains("BÁO CÁO"));
}

#[test]
fn requests_from_elsewhere_change_nothing() {
    let desk = Desk::start("desk-origin", |_| {});
    assert_eq!(desk.get("/").status, 200);
    // A page of another site, or a name made to resolve to this machine.
    let other_host = http(&desk.address, "GET", "/", &[("Host", "evil.example")], b"");
    assert_eq!(other_host.status, 421);
    assert!(!other_host.body.contains("BÁO CÁO"));
    for headers in [
        vec![("Origin", "http://evil.example")],
        vec![("Origin", "null")],
        vec![("Sec-Fetch-Site", "cross-site")],
        vec![],
    ] {
        let answer = desk.request("POST", "/tao", &headers, b"du=0");
        assert_eq!(answer.status, 403, "{headers:?}");
        let (kind, body) = multipart(&[("a.xlsx", b"x")]);
        let mut with_kind = headers.clone();
        with_kind.push(("Content-Type", &kind));
        assert_eq!(desk.request("POST", "/nhan", &with_kind, &body).status, 403);
    }
    assert!(!desk.dir.join("output").exists(), "nothing was built");
    // The desk's own page may.
    assert_eq!(
        desk.post("/tao", "application/x-www-form-urlencoded", b"du=0")
            .status,
        303
    );
    assert!(desk
        .dir
        .join("output/bao-cao-khuyen-cong-2023.pdf")
        .exists());
}

#[test]
fn downloads_are_the_current_sets_files_only() {
    let desk = Desk::start("desk-downloads", |_| {});
    let pdf = "/tai/bao-cao-khuyen-cong-2023.pdf";
    assert_eq!(desk.get(pdf).status, 404, "no set yet");
    assert_eq!(
        desk.post("/tao", "application/x-www-form-urlencoded", b"")
            .status,
        303
    );
    let page = desk.get("/tao");
    assert!(page.body.contains("Đã tạo báo cáo"), "{}", page.body);
    for ext in ["md", "docx", "pdf", "xlsx"] {
        assert!(page
            .body
            .contains(&format!("/tai/bao-cao-khuyen-cong-2023.{ext}")));
    }
    let answer = desk.get(pdf);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("application/pdf"));
    let on_disk = std::fs::read(desk.dir.join("output/bao-cao-khuyen-cong-2023.pdf")).unwrap();
    assert_eq!(answer.bytes, on_disk);
    for path in [
        "/tai/bao-cao-khuyen-cong-2023.manifest.json",
        "/tai/..%2F..%2FCargo.toml",
        "/tai/../../Cargo.toml",
        "/tai/%2Fetc%2Fpasswd",
        "/tai/.khuyencong-khoa",
        "/bieu-mau/..%2F..%2Finput%2Fke-hoach-2023.json",
        "/bieu-mau/999.xlsx",
        "/phong/..%2F..%2FCargo.toml",
    ] {
        let answer = desk.get(path);
        assert_eq!(answer.status, 404, "{path}: {}", answer.body);
        assert!(!answer.body.contains("[package]"));
    }
    // A file changed outside the program is not handed out as the set's.
    std::fs::write(
        desk.dir.join("output/bao-cao-khuyen-cong-2023.pdf"),
        b"khac",
    )
    .unwrap();
    assert_eq!(desk.get(pdf).status, 409);
    // Nor is a FIFO put in a file's place: opening it would wait for a
    // writer for ever (the answer never came).
    #[cfg(unix)]
    {
        let md = desk.dir.join("output/bao-cao-khuyen-cong-2023.md");
        std::fs::remove_file(&md).unwrap();
        assert!(Command::new("mkfifo").arg(&md).status().unwrap().success());
        assert_eq!(desk.get("/tai/bao-cao-khuyen-cong-2023.md").status, 409);
    }
    // A unit's form, blank and pre-filled.
    let blank = desk.get("/bieu-mau/735.xlsx");
    assert_eq!(blank.status, 200);
    assert!(blank
        .header("content-disposition")
        .is_some_and(|d| d.contains("735-vinh-cuu.xlsx")));
    let filled = desk.get("/bieu-mau/735.xlsx?dien-san=1");
    assert_ne!(filled.bytes, blank.bytes);
    let json = form_json(&filled.bytes);
    assert!(json.contains("\"lan_nop\": 2"), "{json}");
}

#[test]
fn hostile_text_is_shown_as_text() {
    let hostile = "<script>alert(1)</script>\\\"'&amp;";
    let desk = Desk::start("desk-hostile", |dir| {
        common::edit(
            &dir.join("input/ke-hoach-2023.json"),
            "\"Huyện Tân Phú\"",
            &format!("\"Huyện {hostile}\""),
        );
        // A broken submission whose own words are quoted in the error.
        common::edit(
            &dir.join("input/bao-cao/731-bien-hoa.json"),
            "\"noi_dung\": \"",
            "\"noi_dung\": \"<img src=x onerror=alert(2)>",
        );
    });
    let units = desk.get("/don-vi");
    let report = desk.get("/");
    for page in [&units, &report] {
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("<script>alert"), "{}", page.body);
        assert!(!page.body.contains("<img src=x"), "{}", page.body);
        assert!(page.body.contains("&lt;img src=x onerror=alert(2)&gt;"));
        assert!(page
            .header("content-security-policy")
            .is_some_and(|c| c.contains("script-src 'self'")));
    }
    // Fixed: the hostile name is printed, as text, in the report and the table.
    common::edit(
        &desk.dir.join("input/bao-cao/731-bien-hoa.json"),
        "<img src=x onerror=alert(2)>",
        "",
    );
    let units = desk.wait_for("/phan/don-vi", "&lt;script&gt;alert(1)&lt;/script&gt;");
    assert!(!units.body.contains("<script>"));
    let report = desk.wait_for("/phan/bao-cao", "&lt;script&gt;alert(1)&lt;/script&gt;");
    assert!(!report.body.contains("<script>"));
}

#[test]
fn a_failed_build_keeps_the_preview_and_the_server() {
    let desk = Desk::start("desk-failures", |_| {});
    let template = desk.dir.join("templates/bao-cao.md");
    let good = std::fs::read_to_string(&template).unwrap();
    assert!(desk.get("/phan/bao-cao").body.contains("BÁO CÁO"));
    // A broken template: the error with its line, the last good pages kept.
    std::fs::write(
        &template,
        good.replacen("{{", "{{ nam | khong_co_bo_loc }} {{", 1),
    )
    .unwrap();
    let part = desk.wait_for("/phan/bao-cao", "khong_co_bo_loc");
    assert!(part.body.contains("bao-cao.md:"), "{}", part.body);
    assert!(part.body.contains("KC061"), "the template error's code");
    assert!(
        part.body.contains("class=\"dau-mu\""),
        "the line with a mark"
    );
    assert!(part.body.contains("BÁO CÁO"), "the last good preview stays");
    // A broken plan: the desk still answers every page, saying why.
    std::fs::write(&template, &good).unwrap();
    let plan = desk.dir.join("input/ke-hoach-2023.json");
    let plan_text = std::fs::read_to_string(&plan).unwrap();
    std::fs::write(&plan, plan_text.replacen('{', "{,", 1)).unwrap();
    desk.wait_for("/phan/bao-cao", "KC004");
    assert!(desk.get("/don-vi").body.contains("KC004"));
    let form = desk.get("/bieu-mau/735.xlsx");
    assert_eq!(form.status, 409);
    assert!(form.body.contains("KC004"));
    assert_eq!(
        desk.post("/tao", "application/x-www-form-urlencoded", b"")
            .status,
        303
    );
    let built = desk.get("/tao");
    assert!(built.body.contains("Không tạo được báo cáo") && built.body.contains("KC004"));
    assert!(!desk
        .dir
        .join("output/bao-cao-khuyen-cong-2023.pdf")
        .exists());
    // Put right: back to a clean preview.
    std::fs::write(&plan, &plan_text).unwrap();
    let part = desk.wait_for("/phan/bao-cao", "BÁO CÁO");
    let start = Instant::now();
    let mut body = part.body;
    while body.contains("loi-khung") && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
        body = desk.get("/phan/bao-cao").body;
    }
    assert!(!body.contains("loi-khung"), "{body}");
    // --du as a choice: refused while a unit has not reported.
    std::fs::remove_file(desk.dir.join(UNIT_FILE)).unwrap();
    desk.wait_for("/phan/don-vi", "chưa nộp");
    assert_eq!(
        desk.post("/tao", "application/x-www-form-urlencoded", b"du=1")
            .status,
        303
    );
    let built = desk.get("/tao");
    assert!(
        built.body.contains("chưa có báo cáo của 1 đơn vị"),
        "{}",
        built.body
    );
}

/// A FIFO named like a submission is refused by the checks (KC001), and the
/// preview that shows that problem must not itself open it: reading it
/// would wait for a writer for ever, and the preview would never change
/// again.
#[cfg(unix)]
#[test]
fn a_path_that_is_no_file_never_stops_the_preview() {
    let desk = Desk::start("desk-fifo", |_| {});
    desk.wait_for("/phan/bao-cao", "BÁO CÁO");
    let fifo = desk.dir.join("input/bao-cao/999-ong-dan.json");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    // A FIFO is no file to watch: a save beside it sets off the rebuild.
    let plan = desk.dir.join("input/ke-hoach-2023.json");
    let text = std::fs::read(&plan).unwrap();
    std::fs::write(&plan, text).unwrap();
    let part = desk.wait_for("/phan/bao-cao", "KC001");
    assert!(part.body.contains("999-ong-dan.json"), "{}", part.body);
    // And the preview goes on following the saves.
    std::fs::remove_file(&fifo).unwrap();
    let template = desk.dir.join("templates/bao-cao.md");
    let good = std::fs::read_to_string(&template).unwrap();
    std::fs::write(&template, good.replacen("{{", "{{ nam | khong_co }} {{", 1)).unwrap();
    desk.wait_for("/phan/bao-cao", "khong_co");
}

#[test]
fn forms_received_as_nhap_takes_them() {
    let (right, wrong, cell) = forms_of_unit();
    let desk = Desk::start("desk-nhan", |dir| {
        std::fs::remove_file(dir.join(UNIT_FILE)).unwrap();
    });
    let row = |body: &str| {
        let start = body.find(&format!("<tr data-ma=\"{UNIT}\"")).unwrap();
        body[start..start + body[start..].find("</tr>").unwrap()].to_string()
    };
    assert!(row(&desk.get("/don-vi").body).contains("chưa nộp"));
    // Where nhap writes the unit's first submission: where it was.
    let target = desk.dir.join(UNIT_FILE);
    let upload = |files: &[(&str, &[u8])]| {
        let (kind, body) = multipart(files);
        let answer = desk.post("/nhan", &kind, &body);
        assert_eq!(answer.status, 200);
        answer.body
    };
    // Not a form, too many: refused before anything is read.
    let body = upload(&[("bao-cao.json", b"{}")]);
    assert!(body.contains("không phải biểu mẫu Excel"), "{body}");
    let many: Vec<(&str, &[u8])> = (0..=khuyencong::desk::MAX_FORMS)
        .map(|_| ("x.xlsx", &right[..]))
        .collect();
    assert!(upload(&many).contains("tối đa 50 biểu mẫu"));
    // A wrong amount: the cell, and nothing written, not even the right form.
    let body = upload(&[("cam-my.xlsx", &wrong), ("<b>dup</b>.xlsx", &right)]);
    assert!(body.contains(&cell) && body.contains("KC020"), "{body}");
    assert!(body.contains("cam-my.xlsx"));
    assert!(body.contains("&lt;b&gt;dup&lt;/b&gt;.xlsx") && !body.contains("<b>dup"));
    assert!(!target.exists());
    // The right one: written as nhap writes it, and the unit is submitted.
    let body = upload(&[("cam-my.xlsx", &right)]);
    assert!(body.contains("Đã nhập"), "{body}");
    let written = std::fs::read_to_string(&target).unwrap();
    let expected = form_json(&right);
    assert_eq!(written, expected);
    let units = desk.get("/don-vi").body;
    assert!(row(&units).contains("đã nộp"), "{}", row(&units));
    // Sent again: imported before, skipped; nothing is overwritten.
    let body = upload(&[("cam-my.xlsx", &right)]);
    assert!(body.contains("đã nhập trước đó"), "{body}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), written);
    // Over the form reader's size limit: refused while it arrives.
    let big = vec![b'x'; khuyencong::load::MAX_FILE_BYTES as usize + 1];
    assert!(upload(&[("lon.xlsx", &big)]).contains("lớn hơn 10 MiB"));
    // Forms each within it but more than an upload holds: the page says
    // the whole upload's limit before, and the refusal after.
    assert!(desk.get("/nhan").body.contains("cả lần gửi tối đa 20 MiB"));
    let part = vec![b'x'; 8 * 1024 * 1024];
    let body = upload(&[("a.xlsx", &part), ("b.xlsx", &part), ("c.xlsx", &part)]);
    assert!(
        body.contains("cả lần gửi lớn hơn 20 MiB") && !body.contains("payload"),
        "{body}"
    );
}

/// The live preview follows a save, and an idle desk does nothing at all:
/// no thread of it wakes (context switches counted by the kernel).
#[test]
fn the_preview_follows_a_save_and_idles() {
    let desk = Desk::start("desk-idle", |_| {});
    let switches = || -> u64 {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", desk.pid())).unwrap();
        tasks
            .filter_map(Result::ok)
            .map(|t| std::fs::read_to_string(t.path().join("status")).unwrap_or_default())
            .flat_map(|s| {
                s.lines()
                    .filter(|l| l.contains("ctxt_switches"))
                    .filter_map(|l| l.split_whitespace().last()?.parse::<u64>().ok())
                    .collect::<Vec<_>>()
            })
            .sum()
    };
    // Events: the current generation at once, then one per rebuild.
    let mut events = TcpStream::connect(&desk.address).unwrap();
    write!(
        events,
        "GET /su-kien HTTP/1.0\r\nHost: {}\r\n\r\n",
        desk.address
    )
    .unwrap();
    events
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while !seen.contains("data: 1") {
        let n = events.read(&mut buf).unwrap();
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    std::thread::sleep(Duration::from_millis(500));
    let before = switches();
    std::thread::sleep(Duration::from_secs(2));
    let idle = switches() - before;
    let threads: Vec<String> = std::fs::read_dir(format!("/proc/{}/task", desk.pid()))
        .unwrap()
        .filter_map(Result::ok)
        .map(|t| {
            let status = std::fs::read_to_string(t.path().join("status")).unwrap_or_default();
            let name = status.lines().next().unwrap_or_default().to_string();
            let n: Vec<&str> = status.lines().filter(|l| l.contains("ctxt")).collect();
            format!("{name} {n:?}")
        })
        .collect();
    assert!(
        idle <= 1,
        "{idle} context switches in 2 s of idling: {threads:#?}"
    );
    let template = desk.dir.join("templates/bao-cao.md");
    common::edit(&template, "như sau:", "như sau. Câu mới của văn thư:");
    while !seen.contains("data: 2") {
        let n = events.read(&mut buf).unwrap();
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(desk
        .get("/phan/bao-cao")
        .body
        .contains("Câu mới của văn thư"));
}

/// The four pages in a real browser (Chromium through WebDriver, by
/// `tests/trinh-duyet/ban_lam_viec.py`): the report, a template saved with
/// a new sentence and then broken, a form with a wrong amount and then the
/// right one, the report built and its PDF downloaded and read. With
/// `KC_ANH=1` the script also saves the four screenshots of
/// `docs/hinh/ban-lam-viec-*.png`.
#[test]
fn the_desk_in_a_browser() {
    if !(have_tool("chromium") && have_tool("chromedriver") && have_tool("pdftotext")) {
        return;
    }
    if !have_selenium() {
        return;
    }
    let (right, wrong, cell) = forms_of_unit();
    let desk = Desk::start("desk-browser", |dir| {
        std::fs::remove_file(dir.join(UNIT_FILE)).unwrap();
        std::fs::write(dir.join("sai.xlsx"), &wrong).unwrap();
        std::fs::write(dir.join("dung.xlsx"), &right).unwrap();
    });
    let expected = desk.dir.join("vi-tri.json");
    std::fs::write(&expected, expected_positions(&desk.dir)).unwrap();
    let out = Command::new("python3")
        .arg(root().join("tests/trinh-duyet/ban_lam_viec.py"))
        .args(["--url", &desk.url()])
        .arg("--thu-muc")
        .arg(&desk.dir)
        .args(["--o", &cell, "--don-vi", UNIT])
        .output()
        .unwrap();
    let said = said(&out);
    eprintln!("{said}");
    assert!(out.status.success(), "{said}");
}

/// Whether Python's selenium is installed; missing under CI is a failure.
fn have_selenium() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import selenium"])
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI: gói Python `selenium` chưa được cài; .ci/run phải cài nó"
        );
        eprintln!(
            "\n!!! BỎ QUA (SKIPPED): chưa cài gói Python `selenium`; CI sẽ bắt buộc có nó !!!\n"
        );
    }
    found
}

/// Where the PDF puts the spans of its first two pages (x, baseline and
/// drawn width in points, and the text), for the browser to compare with
/// where it put them.
fn expected_positions(dir: &Path) -> String {
    use khuyencong::render::pdf::layout::{self, Item};
    let report = khuyencong::pipeline::run(&khuyencong::pipeline::Inputs {
        input: dir.join("input"),
        templates: dir.join("templates"),
        year: None,
    })
    .unwrap();
    let prepared = khuyencong::render::prepared::prepare(&report.document).unwrap();
    let laid = layout::layout(&prepared).unwrap();
    let spans: Vec<serde_json::Value> = laid
        .pages
        .iter()
        .take(2)
        .enumerate()
        .flat_map(|(n, page)| {
            page.items.iter().filter_map(move |item| match item {
                Item::Text(s) => Some(serde_json::json!({
                    "trang": n + 1, "x": s.x, "dong": s.baseline, "rong": s.width, "chu": s.text
                })),
                Item::Rule(_) => None,
            })
        })
        .collect();
    serde_json::to_string(&spans).unwrap()
}
