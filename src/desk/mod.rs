//! The year-end desk (`khuyencong xem`): a small web server, on this
//! machine only unless a password is set, with four pages.
//!
//! - `/` Báo cáo: the report as HTML, from the same layout as the PDF
//!   ([`preview`]), rebuilt in memory whenever the data, the plan or a
//!   template is saved (inotify, [`watch::Changes`]), pushed to the pages
//!   by Server-Sent Events (`/su-kien`); a failed rebuild keeps the last
//!   good pages and shows its problems above them.
//! - `/don-vi` Đơn vị: every unit of the plan, submitted or not, with its
//!   errors and its form (`/bieu-mau/<mã>.xlsx`, `excel::form`).
//! - `/nhan` Nhận biểu mẫu: forms uploaded, read in memory and imported by
//!   `nhap`'s own path ([`excel::nhap`]).
//! - `/tao` Tạo báo cáo: `build`'s own path (`pipeline::run`, then
//!   `output::write`: the folder's lock, the set written whole, `--du` as
//!   a choice), and the files of the last complete set (`/tai/<tên>`).
//!
//! Nothing a request holds becomes a path: downloads are the fixed names
//! of the current set, forms are asked for by a unit code of the plan, and
//! uploads never touch the disk until `nhap` writes them as submissions.
//! Access rules are in [`guard`]. The server never stops on a bad file, a
//! bad template or a failed build: the page says what happened.

mod guard;
mod pages;
pub mod preview;

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path as UrlPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

pub use guard::{need_password, PASSWORD_ENV};
use preview::{Good, Problem};

use crate::excel::{form, form_name, import};
use crate::intake;
use crate::output::{self, Wait};
use crate::pipeline::{self, Inputs, OutputInInput};
use crate::render::fonts::Face;
use crate::render::{html, Format};
use crate::watch::{Changes, Next as Seen};
use crate::{load, manifest, validate};

/// The port the desk listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 8686;
/// Forms taken in one upload.
pub const MAX_FORMS: usize = 50;
/// An upload's whole size: the forms, each within the form reader's own
/// limit ([`load::MAX_FILE_BYTES`]), and the encoding around them.
pub const MAX_UPLOAD_BYTES: usize = 2 * load::MAX_FILE_BYTES as usize + 64 * 1024;
/// How long a build from the desk waits for another one writing the same
/// folder before saying so.
const BUILD_WAIT: Duration = Duration::from_secs(30);
/// How long the saves of one edit are gathered before the preview is
/// rebuilt: an editor's save is a few events within milliseconds.
const DEBOUNCE: Duration = Duration::from_millis(40);

/// What the desk serves and where.
#[derive(Debug, Clone)]
pub struct Config {
    pub inputs: Inputs,
    pub output: PathBuf,
    pub address: IpAddr,
    pub port: u16,
    pub password: Option<String>,
}

/// Why the desk did not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("địa chỉ {0} mở bàn làm việc cho cả các máy khác trong mạng, nên cần mật khẩu: đặt bằng --mat-khau MẬT_KHẨU hoặc biến môi trường {PASSWORD_ENV}; hoặc bỏ --dia-chi để chỉ mở trên máy này (127.0.0.1)")]
    NeedPassword(IpAddr),
    #[error(transparent)]
    OutputInInput(#[from] OutputInInput),
    #[error("không mở được bàn làm việc ở {address}:{port}: {reason}")]
    Bind {
        address: IpAddr,
        port: u16,
        reason: String,
        #[source]
        source: std::io::Error,
    },
    #[error("không theo dõi được thư mục dữ liệu và mẫu: {0}")]
    Watch(String),
    #[error("máy chủ của bàn làm việc dừng vì lỗi hệ thống: {0}")]
    Io(#[from] std::io::Error),
}

/// Starts the desk; `ready` is told its address once it accepts requests.
/// Runs until the process ends.
pub fn serve(config: Config, ready: impl FnOnce(SocketAddr)) -> Result<(), DeskError> {
    if need_password(config.address) && config.password.is_none() {
        return Err(DeskError::NeedPassword(config.address));
    }
    config.inputs.check_output(&config.output)?;
    let listener = std::net::TcpListener::bind((config.address, config.port)).map_err(|e| {
        DeskError::Bind {
            address: config.address,
            port: config.port,
            reason: bind_reason(&e, config.port),
            source: e,
        }
    })?;
    listener.set_nonblocking(true)?;
    let address = listener.local_addr()?;
    let changes = Changes::new(&[&config.inputs.input, &config.inputs.templates], DEBOUNCE)
        .map_err(DeskError::Watch)?;
    let desk = Arc::new(Desk::new(config, address));
    desk.refresh();
    let watcher = Arc::clone(&desk);
    std::thread::Builder::new()
        .name("khuyencong-xem".into())
        .spawn(move || follow(changes, &watcher))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    ready(address);
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        axum::serve(listener, router(desk)).await
    })?;
    Ok(())
}

/// Why a port could not be opened, in Vietnamese.
fn bind_reason(e: &std::io::Error, port: u16) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::AddrInUse => format!("cổng {port} đang được chương trình khác dùng (có thể là một `khuyencong xem` khác đang chạy); mở trang của nó, hoặc chọn cổng khác bằng --cong"),
        K::AddrNotAvailable => "máy này không có địa chỉ đó; bỏ --dia-chi, hoặc dùng 0.0.0.0 để mở trên mọi địa chỉ của máy".into(),
        K::PermissionDenied => format!("không có quyền mở cổng {port} (cổng dưới 1024 cần quyền quản trị); chọn cổng từ 1024 trở lên bằng --cong"),
        _ => format!("lỗi hệ thống ({e})"),
    }
}

/// Rebuilds the preview after every real change, blocked in between.
fn follow(mut changes: Changes, desk: &Desk) {
    loop {
        match changes.wait(None) {
            Seen::Changed => desk.refresh(),
            Seen::Quiet => {}
            Seen::Closed => return,
        }
    }
}

/// The preview as the pages show it.
pub struct Preview {
    /// Counts rebuilds; the pages ask for a new copy when it moves.
    pub generation: u64,
    /// The last good build.
    pub good: Option<Arc<Good>>,
    /// Why the latest build failed (empty: `good` is the latest).
    pub problems: Vec<Problem>,
}

/// The last build asked for on `/tao`.
pub enum Built {
    Written {
        files: Vec<String>,
        changes: Option<String>,
    },
    Failed(Vec<Problem>),
    NotWritten(String),
}

struct Desk {
    inputs: Inputs,
    output: PathBuf,
    access: guard::Access,
    preview: RwLock<Arc<Preview>>,
    changed: tokio::sync::watch::Sender<u64>,
    /// One rebuild at a time (the watcher's and one after an import).
    rebuilding: Mutex<()>,
    built: Mutex<Option<Arc<Built>>>,
}

impl Desk {
    fn new(config: Config, address: SocketAddr) -> Desk {
        Desk {
            access: guard::Access::new(address, config.password.as_deref()),
            inputs: config.inputs,
            output: config.output,
            preview: RwLock::new(Arc::new(Preview {
                generation: 0,
                good: None,
                problems: Vec::new(),
            })),
            changed: tokio::sync::watch::channel(0).0,
            rebuilding: Mutex::new(()),
            built: Mutex::new(None),
        }
    }

    fn preview(&self) -> Arc<Preview> {
        Arc::clone(&self.preview.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Builds the preview of what the folders hold now and tells the pages.
    fn refresh(&self) {
        let _one = self.rebuilding.lock().unwrap_or_else(|p| p.into_inner());
        // A panic while building (a bug, never the data's fault) must not
        // end the live preview: it is said like any other problem.
        let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            preview::build(&self.inputs)
        }))
        .unwrap_or_else(|_| Err(vec![preview::Problem::bug()]));
        let mut slot = self.preview.write().unwrap_or_else(|p| p.into_inner());
        let generation = slot.generation + 1;
        *slot = Arc::new(match built {
            Ok(good) => Preview {
                generation,
                good: Some(Arc::new(good)),
                problems: Vec::new(),
            },
            Err(problems) => Preview {
                generation,
                good: slot.good.clone(),
                problems,
            },
        });
        drop(slot);
        self.changed.send_replace(generation);
    }

    /// The year of the report files: the last good build's, else the one
    /// asked for.
    fn year(&self) -> Option<i32> {
        self.preview()
            .good
            .as_ref()
            .map(|g| g.summary.nam)
            .or(self.inputs.year)
    }

    /// The files of the current set: names of the manifest in the output
    /// folder that are a report file of the year.
    fn current_set(&self) -> Vec<manifest::OutputEntry> {
        let Some(year) = self.year() else {
            return Vec::new();
        };
        let base = output::base_name(year);
        let names: Vec<String> = Format::ALL
            .into_iter()
            .filter(|f| f.is_file())
            .map(|f| format!("{base}.{}", f.extension()))
            .collect();
        output::read_manifest(&output::manifest_path(&self.output, year))
            .map(|m| m.dau_ra)
            .unwrap_or_default()
            .into_iter()
            .filter(|e| names.contains(&e.tep))
            .collect()
    }
}

type Shared = Arc<Desk>;

fn router(desk: Shared) -> Router {
    Router::new()
        .route("/", get(report))
        .route("/don-vi", get(units))
        .route("/nhan", get(receive_page).post(receive))
        .route("/tao", get(build_page).post(build))
        .route("/phan/bao-cao", get(report_part))
        .route("/phan/don-vi", get(units_part))
        .route("/su-kien", get(events))
        .route("/bieu-mau/{file}", get(unit_form))
        .route("/tai/{file}", get(download))
        .route("/phong/{file}", get(font))
        .route("/ban-lam-viec.css", get(style))
        .route("/ban-lam-viec.js", get(script))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
        .layer(middleware::from_fn_with_state(Arc::clone(&desk), guard))
        .with_state(desk)
}

/// The access rules, and the headers every answer carries.
async fn guard(State(desk): State<Shared>, request: Request, next: Next) -> Response {
    let refused = desk.access.check(request.method(), request.headers());
    let mut response = match refused {
        Ok(()) => next.run(request).await,
        Err(guard::Refusal::Password) => (
            StatusCode::UNAUTHORIZED,
            [(
                header::WWW_AUTHENTICATE,
                "Basic realm=\"khuyencong\", charset=\"UTF-8\"",
            )],
            Html(pages::refused("Cần mật khẩu của bàn làm việc (hỏi người chạy `khuyencong xem`).")),
        )
            .into_response(),
        Err(guard::Refusal::Host) => (
            StatusCode::MISDIRECTED_REQUEST,
            Html(pages::refused("Địa chỉ này không phải địa chỉ của bàn làm việc; mở đúng địa chỉ mà `khuyencong xem` in ra.")),
        )
            .into_response(),
        Err(guard::Refusal::Origin) => (
            StatusCode::FORBIDDEN,
            Html(pages::refused("Yêu cầu này không đến từ trang của bàn làm việc nên không được làm.")),
        )
            .into_response(),
    };
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        // Not no-referrer: a browser then sends `Origin: null` with a form.
        ("referrer-policy", "same-origin"),
        (
            "content-security-policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

async fn report(State(desk): State<Shared>) -> Html<String> {
    Html(pages::report(&desk.preview()))
}

async fn units(State(desk): State<Shared>) -> Html<String> {
    Html(pages::units(&desk.preview()))
}

/// A live part of a page, with the generation it shows.
fn part(preview: &Preview, html: String) -> Response {
    ([("x-the", preview.generation.to_string())], Html(html)).into_response()
}

async fn report_part(State(desk): State<Shared>) -> Response {
    let preview = desk.preview();
    part(&preview, pages::report_part(&preview))
}

async fn units_part(State(desk): State<Shared>) -> Response {
    let preview = desk.preview();
    part(&preview, pages::units_part(&preview))
}

/// One event (`doi`, the generation) now and after every rebuild. No
/// keep-alive: an idle desk wakes for nothing.
async fn events(State(desk): State<Shared>) -> impl IntoResponse {
    let receiver = desk.changed.subscribe();
    let stream = futures_util::stream::unfold((receiver, true), |(mut rx, first)| async move {
        if !first {
            rx.changed().await.ok()?;
        }
        let generation = *rx.borrow_and_update();
        let event = Event::default().event("doi").data(generation.to_string());
        Some((Ok::<_, Infallible>(event), (rx, false)))
    });
    Sse::new(stream)
}

async fn receive_page() -> Html<String> {
    Html(pages::receive(None))
}

/// What an upload led to.
pub enum Receipt {
    /// The upload itself was refused (not a form, too many, too large).
    Refused(String),
    /// `nhap` ran: the forms' names as sent, then its outcome.
    Ran {
        names: Vec<(PathBuf, String)>,
        outcome: intake::Outcome,
    },
}

async fn receive(State(desk): State<Shared>, mut upload: Multipart) -> Html<String> {
    let mut forms: Vec<(String, Vec<u8>)> = Vec::new();
    // The upload broken off or over its whole limit, between the forms or
    // inside one.
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        let limit = MAX_UPLOAD_BYTES / (1024 * 1024);
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            format!("cả lần gửi lớn hơn {limit} MiB, giới hạn của một lần gửi; gửi các biểu mẫu thành nhiều lần")
        } else {
            format!("không đọc được các tệp gửi lên (kết nối bị ngắt hoặc trình duyệt gửi sai dạng); gửi lại, cả lần gửi không được quá {limit} MiB")
        }
    };
    let refusal = loop {
        let mut field = match upload.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break None,
            Err(e) => break Some(unreadable(e)),
        };
        let name = field.file_name().unwrap_or_default().to_string();
        if field.name() != Some("bieu_mau") || name.is_empty() {
            continue;
        }
        if forms.len() == MAX_FORMS {
            break Some(format!(
                "mỗi lần chỉ nhận tối đa {MAX_FORMS} biểu mẫu; gửi phần còn lại ở lần sau"
            ));
        }
        if !import::is_form(std::path::Path::new(&name)) {
            break Some(format!(
                "“{name}” không phải biểu mẫu Excel (.xlsx) do `khuyencong bieu-mau` tạo; tệp JSON thì chép thẳng vào thư mục dữ liệu"
            ));
        }
        let mut bytes = Vec::new();
        let refused = loop {
            match field.chunk().await {
                Ok(Some(chunk)) if bytes.len() + chunk.len() > load::MAX_FILE_BYTES as usize => {
                    break Some(format!(
                        "“{name}” lớn hơn {} MiB, giới hạn của một tệp dữ liệu; một biểu mẫu đã điền chỉ vài chục KB — kiểm tra xem có chọn nhầm tệp không",
                        load::MAX_FILE_BYTES / (1024 * 1024)
                    ))
                }
                Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                Ok(None) => break None,
                Err(e) => break Some(unreadable(e)),
            }
        };
        if refused.is_some() {
            break refused;
        }
        forms.push((name, bytes));
    };
    if let Some(why) = refusal {
        return Html(pages::receive(Some(&Receipt::Refused(why))));
    }
    if forms.is_empty() {
        return Html(pages::receive(Some(&Receipt::Refused(
            "chưa chọn biểu mẫu nào".into(),
        ))));
    }
    let receipt = tokio::task::spawn_blocking(move || {
        // Names that are only shown: what was sent never becomes a path.
        let mut diags = crate::diagnostic::Diagnostics::default();
        let mut named = Vec::new();
        let mut names = Vec::new();
        for (i, (sent, bytes)) in forms.into_iter().enumerate() {
            let name = PathBuf::from(format!("biểu mẫu {}.xlsx", i + 1));
            named.extend(load::from_bytes(&name, &bytes, &mut diags));
            names.push((name, sent));
        }
        let labels: Vec<PathBuf> = names.iter().map(|(n, _)| n.clone()).collect();
        let wait = Wait {
            limit: BUILD_WAIT,
            notify: &|_| {},
        };
        let outcome = intake::import(
            named,
            diags,
            &labels,
            &desk.inputs.input,
            desk.inputs.year,
            &wait,
        );
        if outcome.result.is_ok() {
            // The units' page shows the new submissions at once.
            desk.refresh();
        }
        Receipt::Ran { names, outcome }
    })
    .await;
    Html(match receipt {
        Ok(receipt) => pages::receive(Some(&receipt)),
        Err(_) => pages::receive(Some(&Receipt::Refused(
            "lỗi bất thường khi nhập; không biểu mẫu nào được ghi một nửa — xem thư mục dữ liệu rồi gửi lại".into(),
        ))),
    })
}

async fn build_page(State(desk): State<Shared>) -> Html<String> {
    let built = desk.built.lock().unwrap_or_else(|p| p.into_inner()).clone();
    Html(pages::build(
        built.as_deref(),
        &desk.current_set(),
        desk.year(),
    ))
}

/// Runs `build`'s path, then shows the result on `/tao` (a reload of that
/// page does not build again).
async fn build(State(desk): State<Shared>, body: Bytes) -> Response {
    let du = body.split(|&b| b == b'&').any(|pair| pair == b"du=1");
    let worker = Arc::clone(&desk);
    let built = tokio::task::spawn_blocking(move || run_build(&worker, du))
        .await
        .unwrap_or_else(|_| {
            Built::NotWritten("lỗi bất thường khi tạo báo cáo; các tệp cũ được giữ nguyên".into())
        });
    *desk.built.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(built));
    Redirect::to("/tao").into_response()
}

/// `khuyencong build [--du]`, as the command runs it.
fn run_build(desk: &Desk, du: bool) -> Built {
    let wait = Wait {
        limit: BUILD_WAIT,
        notify: &|_| {},
    };
    let not_written =
        |e: output::OutputError| Built::NotWritten(format!("{e}. {}", e.left().said(&desk.output)));
    if let Err(e) = output::recover(&desk.output, &wait) {
        return not_written(e);
    }
    let report = pipeline::run(&desk.inputs).and_then(|report| {
        if du {
            pipeline::complete(&report.data)?;
        }
        Ok(report)
    });
    match report {
        Err(e) => Built::Failed(preview::problems(&e)),
        Ok(report) => match output::write(report, &desk.output, &wait) {
            Ok(written) => Built::Written {
                files: written
                    .files
                    .iter()
                    .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .collect(),
                changes: written
                    .changes
                    .map(|c| manifest::report(&c, "so với lần tạo báo cáo trước")),
            },
            Err(e) => not_written(e),
        },
    }
}

/// A file of the current set, by its fixed name; its bytes must be those
/// the set's manifest records (a build half-way through renaming is not
/// handed out).
async fn download(State(desk): State<Shared>, UrlPath(file): UrlPath<String>) -> Response {
    let Some(entry) = desk.current_set().into_iter().find(|e| e.tep == file) else {
        return not_found(
            "Không có tệp này trong bộ báo cáo hiện có; tạo báo cáo ở trang Tạo báo cáo.",
        );
    };
    let path = desk.output.join(&entry.tep);
    let bytes = match tokio::task::spawn_blocking(move || output::read_report(&path)).await {
        Ok(Ok(bytes)) if manifest::sha256(&bytes) == entry.sha256 => bytes,
        _ => {
            return (
                StatusCode::CONFLICT,
                Html(pages::refused("Bộ báo cáo đang được ghi lại hoặc đã bị sửa ngoài chương trình; tải lại sau khi tạo xong (trang Tạo báo cáo).")),
            )
                .into_response()
        }
    };
    let kind = match entry.tep.rsplit('.').next() {
        Some("pdf") => "application/pdf",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "text/markdown; charset=utf-8",
    };
    attachment(kind, &entry.tep, bytes)
}

fn attachment(kind: &'static str, name: &str, bytes: Vec<u8>) -> Response {
    // The names are ASCII (`bao-cao-khuyen-cong-2023.pdf`, `735-….xlsx`).
    let disposition = format!(
        "attachment; filename=\"{}\"",
        name.replace(['"', '\\'], "_")
    );
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(kind)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition)
                    .unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        bytes,
    )
        .into_response()
}

fn not_found(message: &str) -> Response {
    (StatusCode::NOT_FOUND, Html(pages::refused(message))).into_response()
}

/// A unit's form, blank or pre-filled (`bieu-mau [--dien-san] MÃ`), asked
/// for by the unit's code in the plan.
async fn unit_form(
    State(desk): State<Shared>,
    UrlPath(file): UrlPath<String>,
    uri: Uri,
) -> Response {
    let Some(code) = file.strip_suffix(".xlsx").map(str::to_string) else {
        return not_found("Biểu mẫu được tải theo mã đơn vị: /bieu-mau/MÃ.xlsx.");
    };
    let prefill = uri
        .query()
        .is_some_and(|q| q.split('&').any(|pair| pair == "dien-san=1"));
    let made = tokio::task::spawn_blocking(move || {
        let input = std::slice::from_ref(&desk.inputs.input);
        let data = validate::load(input, &[], desk.inputs.year).map_err(|diags| {
            let problems = preview::problems(&pipeline::BuildError::Data(diags));
            (StatusCode::CONFLICT, pages::form_refused(&problems))
        })?;
        let plan = &data.plan.value;
        let Some((_, unit)) = plan.index().unit(&code) else {
            return Err((
                StatusCode::NOT_FOUND,
                pages::refused(&format!(
                    "Không có đơn vị mã “{code}” trong danh mục năm {}.",
                    plan.nam
                )),
            ));
        };
        let latest = data
            .submissions
            .iter()
            .find(|s| prefill && s.value.ma_don_vi == unit.ma)
            .map(|s| &s.value);
        form::of_unit(plan, unit, latest)
            .map(|bytes| (form_name(unit), bytes))
            .map_err(|e| {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    pages::refused(&e.to_string()),
                )
            })
    })
    .await;
    match made {
        Ok(Ok((name, bytes))) => attachment(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &name,
            bytes,
        ),
        Ok(Err((status, page))) => (status, Html(page)).into_response(),
        Err(_) => not_found("Không tạo được biểu mẫu."),
    }
}

/// The embedded faces, by their fixed names.
async fn font(UrlPath(file): UrlPath<String>) -> Response {
    match Face::ALL.into_iter().find(|f| html::font_file(*f) == file) {
        Some(face) => (
            [
                (header::CONTENT_TYPE, "font/ttf"),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            face.bytes(),
        )
            .into_response(),
        None => not_found("Không có phông này."),
    }
}

async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        pages::style(),
    )
        .into_response()
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        pages::SCRIPT,
    )
        .into_response()
}
