//! The bookshop over Streamable HTTP, for both eras, on `std::net` and plain threads: no
//! async runtime and no driver, only `mcp-proto`'s public API. It is the proof that the
//! core drives from any transport: everything protocol (routing, sessions, which response
//! a message goes out on, JSON or SSE, event ids, resumption, keep-alives) is decided by
//! [`HttpServer`], [`HttpSession`] and [`HttpExchange`]; this file only reads requests,
//! writes what they hand it, and plays the application.
//!
//! ```sh
//! cargo run -p mcp-proto --example blocking_http -- --addr 127.0.0.1:8000
//! ```
//!
//! Two tools: `search_books(query)` and `reserve(title)`, which asks how many copies
//! through elicitation: a live `elicitation/create` request on a 2025-11-25 session, an
//! "input required" round at 2026-07-28.
//!
//! The threads: one per TCP connection, and one that runs the sessions' timers. A
//! 2026-07-28 request is served entirely on its connection's thread (an exchange shares
//! nothing). Legacy sessions live in the endpoint's table behind one lock; the thread of
//! each HTTP request given to a session waits on a channel for the pieces of its response,
//! which whoever drains the session (the thread whose input produced them) sends it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, mpsc};
use std::time::{Duration, Instant};

use mcp_proto::Timestamp;
use mcp_proto::connection::{ReplyToken, RequestHandle};
use mcp_proto::http::server::{
    Dispatch, HttpExchange, HttpServer, HttpServerConfig, HttpSession, HttpTransmit, ResponseHead,
    ResponseId,
};
use mcp_proto::http::{HttpMethod, HttpResponse, RequestHead};
use mcp_proto::jsonrpc::{ErrorCode, Message};
use mcp_proto::mrtr::HmacSealer;
use mcp_proto::server::{
    InboundRequest, InputRequired, Reply, RequestOptions, ServerConfig, ServerConnection,
    ServerEvent,
};
use mcp_proto::types::{
    ElicitRequestParams, Implementation, InputRequest, InputResponse, ServerCapabilities,
    ServerRequest, Tool,
};
use mcp_proto::version::Era;
use serde::Deserialize;
use serde_json::{Value, json};

const BOOKS: [(&str, &str); 4] = [
    ("Dune", "Frank Herbert"),
    ("The Left Hand of Darkness", "Ursula K. Le Guin"),
    ("Neuromancer", "William Gibson"),
    ("Hyperion", "Dan Simmons"),
];

/// The largest request head read.
const MAX_HEAD_BYTES: usize = 16 * 1024;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut addr = String::from("127.0.0.1:8000");
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--addr", Some(value)) => addr = value,
            _ => {
                eprintln!("usage: blocking_http [--addr HOST:PORT]");
                std::process::exit(2);
            }
        }
    }
    let listener = TcpListener::bind(&addr)?;
    let shop = Arc::new(Shop::new());
    // The announcement goes to stderr: tests read the address from it.
    eprintln!("bookshop on http://{}/mcp", listener.local_addr()?);
    let ticking = Arc::clone(&shop);
    std::thread::spawn(move || ticking.run_timers());
    for stream in listener.incoming() {
        let stream = stream?;
        let shop = Arc::clone(&shop);
        std::thread::spawn(move || {
            let _ = shop.serve_connection(stream);
        });
    }
    Ok(())
}

/// One piece of a response, from the thread that drained a session to the thread that
/// writes the response.
struct Piece {
    head: Option<ResponseHead>,
    body: Vec<u8>,
    end: bool,
}

/// What the shop keeps per legacy session.
struct Session {
    http: HttpSession,
    /// The threads writing this session's responses.
    carriers: BTreeMap<ResponseId, mpsc::Sender<Piece>>,
    /// Reservations waiting for the user's answer: the live elicitation's handle, the
    /// call's token and the title.
    asking: BTreeMap<RequestHandle, (ReplyToken, String)>,
}

struct Shop {
    epoch: Instant,
    config: Arc<ServerConfig>,
    /// The key that seals 2026-07-28 `requestState`.
    key: [u8; 32],
    endpoint: Mutex<HttpServer<Session>>,
}

impl Shop {
    fn new() -> Self {
        let capabilities: ServerCapabilities =
            serde_json::from_value(json!({"tools": {}})).expect("valid capabilities");
        let config = ServerConfig::new(Implementation::new("bookshop", "1.0.0"))
            .with_capabilities(capabilities)
            .with_instructions("Search the catalogue with search_books, then reserve a title.");
        let http = HttpServerConfig::default().with_tools(&tools());
        Shop {
            epoch: Instant::now(),
            config: config.into_shared(),
            key: random(),
            endpoint: Mutex::new(HttpServer::new(http)),
        }
    }

    /// The core's time: nanoseconds since the shop opened.
    fn now(&self) -> Timestamp {
        Timestamp::from_nanos(u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX))
    }

    fn endpoint(&self) -> MutexGuard<'_, HttpServer<Session>> {
        self.endpoint.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Serves the requests of one TCP connection until it closes.
    fn serve_connection(&self, stream: TcpStream) -> std::io::Result<()> {
        stream.set_nodelay(true)?;
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut writer = stream;
        while let Some((method, path, headers, body)) = read_request(&mut reader)? {
            let header_refs: Vec<(&str, &[u8])> = headers
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_bytes()))
                .collect();
            let head = RequestHead::new(HttpMethod::parse(&method), &path, &header_refs);
            if path != "/mcp" {
                write_complete(&mut writer, &HttpResponse::refusal(404, "Not Found"))?;
                continue;
            }
            let now = self.now();
            let dispatch = self.endpoint().handle_request(now, &head, &body);
            let keep_open = match dispatch {
                Dispatch::Respond(response) | Dispatch::Refused { response, .. } => {
                    write_complete(&mut writer, &response)?;
                    true
                }
                Dispatch::Exchange(request) => {
                    let connection = ServerConnection::with_shared_config(
                        Arc::clone(&self.config),
                        Some(Box::new(self.sealer())),
                    );
                    // One exchange, served here: nothing else shares it.
                    let keep_alive = self.endpoint().config().sessions.keep_alive;
                    let exchange = HttpExchange::new(now, connection, request, keep_alive);
                    let served = self.serve_exchange(exchange, &mut writer);
                    self.endpoint().end_exchange();
                    served?
                }
                Dispatch::Initialize(message) => {
                    let session_id = hex(&random::<16>());
                    let connection =
                        ServerConnection::with_shared_config(Arc::clone(&self.config), None);
                    let settings = self.endpoint().config().sessions;
                    let session = Session {
                        http: HttpSession::new(now, session_id.clone(), connection, settings),
                        carriers: BTreeMap::new(),
                        asking: BTreeMap::new(),
                    };
                    let request_id = match &message {
                        Message::Request(request) => Some(request.id.clone()),
                        _ => None,
                    };
                    let accepted = self.endpoint().accept_session(
                        now,
                        session_id.clone(),
                        session,
                        request_id.as_ref(),
                    );
                    match accepted {
                        Ok(()) => self.session_input(&session_id, &mut writer, |session| {
                            session.handle_post(now, message)
                        })?,
                        Err(refusal) => {
                            write_complete(&mut writer, &refusal)?;
                            true
                        }
                    }
                }
                Dispatch::Post {
                    session_id,
                    message,
                } => self.session_input(session_id, &mut writer, |session| {
                    session.handle_post(now, message)
                })?,
                Dispatch::Get {
                    session_id,
                    last_event_id,
                } => self.session_input(session_id, &mut writer, |session| {
                    session.handle_get(now, last_event_id)
                })?,
                Dispatch::Deleted { mut session, .. } => {
                    session.http.close(now);
                    flush(&mut session);
                    write_complete(&mut writer, &HttpResponse::empty(200))?;
                    true
                }
                _ => {
                    write_complete(&mut writer, &HttpResponse::empty(500))?;
                    true
                }
            };
            if !keep_open {
                break;
            }
        }
        Ok(())
    }

    /// A sealer for one exchange: the shop's key, a fresh nonce seed.
    fn sealer(&self) -> HmacSealer {
        HmacSealer::new("shop", self.key, random()).expect("a valid key")
    }

    /// Serves one 2026-07-28 exchange on this thread; false when the response was a
    /// stream (the connection then closes).
    fn serve_exchange(
        &self,
        mut exchange: HttpExchange,
        writer: &mut TcpStream,
    ) -> std::io::Result<bool> {
        let mut streamed = false;
        loop {
            let now = self.now();
            while let Some(event) = exchange.poll_event() {
                if let ServerEvent::Request(request) = event {
                    // No live requests at 2026-07-28: every tool answers at once.
                    let _ = answer(exchange.connection_mut(), now, *request);
                }
            }
            let mut body = Vec::new();
            while let Some(transmit) = exchange.poll_transmit(&mut body) {
                streamed |= transmit.head.is_some() && !transmit.end;
                if let Err(error) = write_piece(writer, transmit, &body) {
                    exchange.handle_disconnect(self.now());
                    return Err(error);
                }
                body.clear();
            }
            if exchange.is_finished() {
                return Ok(!streamed);
            }
            // Waiting (a listen stream, say): sleep until the exchange's next deadline.
            let deadline = exchange.poll_timeout().unwrap_or(now);
            let wait = deadline.saturating_since(self.now());
            std::thread::sleep(wait.max(Duration::from_millis(1)));
            exchange.handle_timeout(self.now());
        }
    }

    /// Hands one HTTP request to session `session_id`, then writes the response it
    /// answers with as the pieces arrive; false when the response was a stream.
    fn session_input(
        &self,
        session_id: &str,
        writer: &mut TcpStream,
        input: impl FnOnce(&mut HttpSession) -> ResponseId,
    ) -> std::io::Result<bool> {
        let (sender, pieces) = mpsc::channel();
        let response = {
            let mut endpoint = self.endpoint();
            let Some(session) = endpoint.session_mut(session_id) else {
                drop(endpoint);
                write_complete(writer, &HttpResponse::refusal(404, "Not Found"))?;
                return Ok(true);
            };
            let response = input(&mut session.http);
            session.carriers.insert(response, sender);
            self.run_application(session);
            flush(session);
            if session.http.is_closed() {
                // A refused `initialize`: no session is left behind.
                endpoint.remove_session(session_id);
            }
            response
        };
        let mut streamed = false;
        for piece in pieces {
            let transmit_head = piece.head.is_some();
            streamed |= transmit_head && !piece.end;
            if let Err(error) = write_raw(writer, piece.head.as_ref(), &piece.body, piece.end) {
                // The client went away: the session keeps the stream's events.
                if let Some(session) = self.endpoint().session_mut(session_id) {
                    session.http.handle_disconnect(self.now(), response);
                    session.carriers.remove(&response);
                }
                return Err(error);
            }
            if piece.end {
                break;
            }
        }
        Ok(!streamed)
    }

    /// Plays the application on a session's events: answers its requests, finishes
    /// reservations whose question was answered.
    fn run_application(&self, session: &mut Session) {
        let now = self.now();
        while let Some(event) = session.http.poll_event() {
            match event {
                ServerEvent::Request(request) => {
                    if let Some(asked) = answer(session.http.connection_mut(), now, *request) {
                        session.asking.insert(asked.0, (asked.1, asked.2));
                    }
                }
                ServerEvent::Response { handle, outcome } => {
                    if let Some((token, title)) = session.asking.remove(&handle) {
                        let copies = outcome
                            .ok()
                            .and_then(|body| serde_json::to_value(body.raw()).ok())
                            .and_then(|value| accepted_copies(&value));
                        let reply = reservation(&title, copies);
                        let _ = session.http.connection_mut().respond(now, token, reply);
                    }
                }
                ServerEvent::TimedOut { handle } => {
                    if let Some((token, title)) = session.asking.remove(&handle) {
                        let reply = reservation(&title, None);
                        let _ = session.http.connection_mut().respond(now, token, reply);
                    }
                }
                _ => {}
            }
        }
    }

    /// Runs every deadline: idle sessions end, streams get their keep-alive comments,
    /// questions nobody answers time out.
    fn run_timers(&self) {
        loop {
            std::thread::sleep(Duration::from_millis(250));
            let now = self.now();
            let mut endpoint = self.endpoint();
            for (_, mut session) in endpoint.handle_timeout(now) {
                session.http.close(now);
                flush(&mut session);
            }
            let sessions: Vec<String> = endpoint
                .sessions_mut()
                .filter(|(_, session)| session.http.poll_timeout().is_some_and(|at| at <= now))
                .map(|(id, _)| id.to_string())
                .collect();
            for id in sessions {
                if let Some(session) = endpoint.session_mut(&id) {
                    session.http.handle_timeout(now);
                    self.run_application(session);
                    flush(session);
                }
            }
        }
    }
}

/// Sends everything the session has for its responses to the threads writing them.
fn flush(session: &mut Session) {
    let mut body = Vec::new();
    while let Some(transmit) = session.http.poll_transmit(&mut body) {
        let response = transmit.response;
        let piece = Piece {
            head: transmit.head,
            body: std::mem::take(&mut body),
            end: transmit.end,
        };
        let delivered = session
            .carriers
            .get(&response)
            .is_some_and(|carrier| carrier.send(piece).is_ok());
        if transmit.end || !delivered {
            session.carriers.remove(&response);
        }
        if !delivered && !transmit.end {
            session.http.handle_disconnect(Timestamp::ZERO, response);
        }
    }
}

// ---- the application -----------------------------------------------------------------

fn tools() -> Vec<Tool> {
    let mut search = Tool::new(
        "search_books",
        (&json!({
            "type": "object",
            "properties": {"query": {"type": "string", "description": "Words to look for in titles and authors."}},
            "required": ["query"]
        }))
            .into(),
    );
    search.description = Some(String::from("Finds books by title or author"));
    let mut reserve = Tool::new(
        "reserve",
        (&json!({
            "type": "object",
            "properties": {"title": {"type": "string", "description": "The exact title of the book."}},
            "required": ["title"]
        }))
            .into(),
    );
    reserve.description = Some(String::from("Reserves copies of a book"));
    vec![search, reserve]
}

#[derive(Deserialize)]
struct Call {
    name: String,
    #[serde(default)]
    arguments: Value,
}

/// Answers one request; for a legacy reservation, asks the user and returns what the
/// answer will finish (the question's handle, the call's token, the title).
fn answer(
    connection: &mut ServerConnection,
    now: Timestamp,
    request: InboundRequest,
) -> Option<(RequestHandle, ReplyToken, String)> {
    let reply = match request.method.as_str() {
        "tools/list" => Reply::result(&json!({"tools": tools()})),
        "tools/call" => match request.decode::<Call>() {
            Ok(call) if call.name == "search_books" => {
                let query = call.arguments["query"].as_str().unwrap_or_default();
                search(&query.to_lowercase())
            }
            Ok(call) if call.name == "reserve" => {
                let title = call.arguments["title"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                return reserve(connection, now, request, title);
            }
            Ok(call) => Reply::error(
                ErrorCode::INVALID_PARAMS,
                format!("Unknown tool: {}", call.name),
            ),
            Err(error) => Reply::error(ErrorCode::INVALID_PARAMS, error.to_string()),
        },
        _ => Reply::error(ErrorCode::METHOD_NOT_FOUND, "Method not found"),
    };
    let _ = connection.respond(now, request.token, reply);
    None
}

fn search(query: &str) -> Reply {
    let found: Vec<String> = BOOKS
        .iter()
        .filter(|(title, author)| {
            title.to_lowercase().contains(query) || author.to_lowercase().contains(query)
        })
        .map(|(title, author)| format!("{title} by {author}"))
        .collect();
    let text = if found.is_empty() {
        String::from("No books found")
    } else {
        found.join("\n")
    };
    text_result(&text, false)
}

fn reserve(
    connection: &mut ServerConnection,
    now: Timestamp,
    request: InboundRequest,
    title: String,
) -> Option<(RequestHandle, ReplyToken, String)> {
    if !BOOKS.iter().any(|(stocked, _)| *stocked == title) {
        let reply = text_result(&format!("We do not stock {title}"), true);
        let _ = connection.respond(now, request.token, reply);
        return None;
    }
    let question: ElicitRequestParams = serde_json::from_value(json!({
        "mode": "form",
        "message": format!("How many copies of {title} would you like?"),
        "requestedSchema": {
            "type": "object",
            "properties": {"copies": {"type": "integer", "minimum": 1, "maximum": 5}},
            "required": ["copies"]
        }
    }))
    .expect("a valid question");
    match request.context.era {
        // 2025-11-25: a live request on the call's own stream; the answer comes later.
        Era::Legacy => {
            let asked = connection.send_request_for(
                now,
                &request.token,
                ServerRequest::Elicit(question),
                RequestOptions::with_timeout(Duration::from_secs(60)),
            );
            match asked {
                Ok(handle) => Some((handle, request.token, title)),
                Err(_) => {
                    let _ = connection.respond(now, request.token, reservation(&title, None));
                    None
                }
            }
        }
        // 2026-07-28: "input required" the first time, the answer on the retry.
        _ => {
            let answered = request
                .context
                .input_responses
                .as_ref()
                .and_then(|responses| responses.get("copies"));
            let reply = match answered {
                Some(InputResponse::Elicit(result)) => {
                    let value = serde_json::to_value(result).unwrap_or_default();
                    reservation(&title, accepted_copies(&value))
                }
                _ => Reply::InputRequired(InputRequired {
                    requests: BTreeMap::from([(
                        String::from("copies"),
                        InputRequest::Elicit(question),
                    )]),
                    state: None,
                }),
            };
            let _ = connection.respond(now, request.token, reply);
            None
        }
    }
}

/// The copies an accepted elicitation result asks for.
fn accepted_copies(result: &Value) -> Option<u64> {
    (result["action"] == "accept")
        .then(|| result["content"]["copies"].as_u64())
        .flatten()
}

fn reservation(title: &str, copies: Option<u64>) -> Reply {
    let text = match copies {
        Some(copies) => format!("Reserved {copies} copies of {title}"),
        None => format!("No reservation made for {title}"),
    };
    text_result(&text, false)
}

fn text_result(text: &str, is_error: bool) -> Reply {
    Reply::result(&json!({"content": [{"type": "text", "text": text}], "isError": is_error}))
}

// ---- HTTP/1.1 on a socket ------------------------------------------------------------

/// Reads one request: method, path, headers and the body its `Content-Length` gives.
/// `None` when the client closed the connection.
#[allow(clippy::type_complexity)]
fn read_request(
    reader: &mut BufReader<TcpStream>,
) -> std::io::Result<Option<(String, String, Vec<(String, String)>, Vec<u8>)>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Ok(None);
    };
    let (method, path) = (
        method.to_string(),
        target.split('?').next().unwrap_or("").to_string(),
    );
    let mut headers = Vec::new();
    let mut read = line.len();
    loop {
        let mut header = String::new();
        read += reader.read_line(&mut header)?;
        if read > MAX_HEAD_BYTES {
            return Ok(None);
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(0);
    // A declared body over the limit is refused by the endpoint before it is read.
    let mut body = vec![0; length.min(4 * 1024 * 1024)];
    reader.read_exact(&mut body)?;
    Ok(Some((method, path, headers, body)))
}

fn write_complete(writer: &mut TcpStream, response: &HttpResponse) -> std::io::Result<()> {
    let head = ResponseHead::of(response);
    write_raw(writer, Some(&head), &response.body, true)
}

fn write_piece(writer: &mut TcpStream, transmit: HttpTransmit, body: &[u8]) -> std::io::Result<()> {
    write_raw(writer, transmit.head.as_ref(), body, transmit.end)
}

/// Writes a head (a complete response gets a `Content-Length`; a stream is delimited by
/// closing the connection) and body bytes.
fn write_raw(
    writer: &mut TcpStream,
    head: Option<&ResponseHead>,
    body: &[u8],
    end: bool,
) -> std::io::Result<()> {
    if let Some(head) = head {
        let mut text = format!("HTTP/1.1 {} {}\r\n", head.status, reason(head.status));
        for (name, value) in &head.headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        if end {
            text.push_str(&format!("Content-Length: {}\r\n", body.len()));
        } else {
            text.push_str("Connection: close\r\n");
        }
        text.push_str("\r\n");
        writer.write_all(text.as_bytes())?;
    }
    writer.write_all(body)?;
    writer.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        404 => "Not Found",
        _ => "Status",
    }
}

// ---- randomness, from the operating system -------------------------------------------

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    bytes
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
