// The output of the `anyfetch` command, as cli/README.md specifies it ("The output, exactly"):
// the request and response heads, the body by its media type (JSON re-indented token by token,
// text, or a note for binary data), and the ANSI colours. Pure functions of their inputs: the
// command (anyfetch.mjs) does the I/O.

const ESC = "\x1b[";
/** `token` in SGR colour `code`, or `token` itself without colours. */
const paint = (code, token, color) => (color && token ? `${ESC}${code}m${token}${ESC}0m` : token);

// The canonical reason phrases (those of the `http` crate's `StatusCode::canonical_reason`).
const REASONS = {
  100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
  200: "OK", 201: "Created", 202: "Accepted", 203: "Non Authoritative Information", 204: "No Content",
  205: "Reset Content", 206: "Partial Content", 207: "Multi-Status", 208: "Already Reported", 226: "IM Used",
  300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
  305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
  400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
  405: "Method Not Allowed", 406: "Not Acceptable", 407: "Proxy Authentication Required",
  408: "Request Timeout", 409: "Conflict", 410: "Gone", 411: "Length Required", 412: "Precondition Failed",
  413: "Payload Too Large", 414: "URI Too Long", 415: "Unsupported Media Type", 416: "Range Not Satisfiable",
  417: "Expectation Failed", 418: "I'm a teapot", 421: "Misdirected Request", 422: "Unprocessable Entity",
  423: "Locked", 424: "Failed Dependency", 425: "Too Early", 426: "Upgrade Required",
  428: "Precondition Required", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
  451: "Unavailable For Legal Reasons",
  500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
  504: "Gateway Timeout", 505: "HTTP Version Not Supported", 506: "Variant Also Negotiates",
  507: "Insufficient Storage", 508: "Loop Detected", 510: "Not Extended", 511: "Network Authentication Required",
};

/** `200 OK`, or `299` for a code without a canonical reason. */
export function statusText(status) {
  return REASONS[status] ? `${status} ${REASONS[status]}` : `${status}`;
}

function statusColor(status) {
  if (status >= 200 && status < 300) return "1;32";
  if (status >= 300 && status < 400) return "1;33";
  if (status >= 400 && status < 600) return "1;31";
  return "1";
}

/** `name: value` lines; sorted by name (stably) when formatting. */
function headerLines(pairs, { format, color }) {
  const lines = pairs.map(([name, value]) => [name.toLowerCase(), value]);
  if (format) lines.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return lines.map(([name, value]) => `${paint("36", name, color)}: ${value}\n`).join("");
}

/** The request head: `METHOD PATH?QUERY HTTP/1.1`, `host: HOST[:PORT]`, then the headers. */
export function requestHead({ method, url, headers }, style) {
  const u = new URL(url);
  const line = `${paint("1", method, style.color)} ${u.pathname}${u.search} ${paint("34", "HTTP/1.1", style.color)}\n`;
  return line + `${paint("36", "host", style.color)}: ${u.host}\n` + headerLines(headers, style);
}

/** The response head: `HTTP/1.1 200 OK`, then one line per header value. */
export function responseHead({ status, headers }, style) {
  const line = `${paint("34", "HTTP/1.1", style.color)} ${paint(statusColor(status), statusText(status), style.color)}\n`;
  return line + headerLines(headers, style);
}

// --- media types ---

/** `{ type, charset }` of a Content-Type value: the essence lower-case, and whether a charset is named. */
export function mediaType(contentType) {
  if (contentType == null) return null;
  const [essence, ...params] = contentType.split(";");
  return {
    type: essence.trim().toLowerCase(),
    charset: params.some((p) => p.trim().toLowerCase().startsWith("charset=")),
  };
}

export const isJsonType = (t) => t === "application/json" || t === "text/json" || t.endsWith("+json");
export const isMarkupType = (t) =>
  t === "text/html" || t === "text/xml" || t === "application/xml" || t.endsWith("+xml");
const isTextType = (mt) =>
  mt.type.startsWith("text/") ||
  isMarkupType(mt.type) ||
  mt.type === "application/javascript" ||
  mt.type === "application/x-www-form-urlencoded" ||
  mt.charset;

const utf8 = new TextDecoder("utf-8", { fatal: true });
function validUtf8(bytes) {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

// --- JSON ---

// The tokens of a JSON text: whitespace, strings, punctuation, and the rest (numbers, literals).
const JSON_TOKEN = /[ \t\n\r]+|"(?:[^"\\]|\\.)*"|[{}[\],:]|[^ \t\n\r{}[\],:"]+/gsy;

/** The tokens of `text` (which must be JSON), whitespace included. */
export function jsonTokens(text) {
  return text.match(JSON_TOKEN) ?? [];
}

const isSpace = (tok) => /^[ \t\n\r]/.test(tok);

/** The colour of a value token: `key` when a `:` follows it. */
function jsonValue(tok, key, color) {
  if (tok[0] === '"') return paint(key ? "34" : "32", tok, color);
  if (tok === "true" || tok === "false" || tok === "null") return paint("35", tok, color);
  return paint("36", tok, color);
}

/** `text` (JSON) re-indented with 4 spaces, tokens copied as written. */
export function reindentJson(text, color = false) {
  const toks = jsonTokens(text).filter((t) => !isSpace(t));
  let out = "";
  let depth = 0;
  const newline = () => "\n" + "    ".repeat(depth);
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i];
    if (tok === "{" || tok === "[") {
      if (toks[i + 1] === (tok === "{" ? "}" : "]")) {
        out += tok + toks[++i];
      } else {
        depth++;
        out += tok + newline();
      }
    } else if (tok === "}" || tok === "]") {
      depth--;
      out += newline() + tok;
    } else if (tok === ",") {
      out += "," + newline();
    } else if (tok === ":") {
      out += ": ";
    } else {
      out += jsonValue(tok, toks[i + 1] === ":", color);
    }
  }
  return out;
}

/** `text` (JSON) as written, its tokens coloured. */
export function colorJson(text) {
  const toks = jsonTokens(text);
  const next = (i) => toks.slice(i + 1).find((t) => !isSpace(t));
  return toks
    .map((tok, i) => (isSpace(tok) || /^[{}[\],:]$/.test(tok) ? tok : jsonValue(tok, next(i) === ":", true)))
    .join("");
}

// --- XML and HTML ---

const TAG_OPEN = /<[/?!]?[A-Za-z_:][^\s/>?="'<]*/y;
const ATTR_VALUE = /"[^"]*"?|'[^']*'?/y;
// After `=`: a quoted value, or an unquoted one up to a space or the tag's end.
const ATTR_VALUE_UNQUOTED = /"[^"]*"?|'[^']*'?|(?:[^\s>"'/]|\/(?!>))+/y;

/** `text` (XML or HTML) with its comments, tags, attribute names and values coloured. */
export function colorMarkup(text) {
  let out = "";
  let i = 0;
  const at = (re) => {
    re.lastIndex = i;
    const m = re.exec(text);
    return m && m[0];
  };
  while (i < text.length) {
    if (text.startsWith("<!--", i)) {
      const end = text.indexOf("-->", i + 4);
      const j = end < 0 ? text.length : end + 3;
      out += paint("2", text.slice(i, j), true);
      i = j;
      continue;
    }
    const open = at(TAG_OPEN);
    if (!open) {
      // Text up to the next `<` (a `<` that opens no tag is text too).
      const next = text.indexOf("<", i + 1);
      const j = next < 0 ? text.length : next;
      out += text.slice(i, j);
      i = j;
      continue;
    }
    out += paint("34", open, true);
    i += open.length;
    // Inside the tag, up to its `>`, `/>` or `?>` (or the end of the body).
    let value = false; // just after an `=`: what comes is a value, quoted or not
    while (i < text.length) {
      let tok = at(/\/?>|\?>/y);
      if (tok) {
        out += paint("34", tok, true);
        i += tok.length;
        break;
      }
      if ((tok = at(/\s+|[=/?]/y))) {
        out += tok;
        if (tok === "=") value = true;
        else if (!/^\s/.test(tok)) value = false;
      } else if ((tok = at(value ? ATTR_VALUE_UNQUOTED : ATTR_VALUE))) {
        out += paint("32", tok, true);
        value = false;
      } else {
        tok = at(/[^\s=>"'/?]+/y);
        out += paint("36", tok, true);
      }
      i += tok.length;
    }
  }
  return out;
}

// --- bodies ---

/**
 * The body as printed: a string, or the bytes themselves (`Uint8Array`) when nothing changes.
 * `bytes` are the body after Content-Encoding; `text` its decoding by the charset of
 * Content-Type (the response's `text()`); `format` and `color` as `--pretty` says.
 */
export function formatBody({ bytes, text, contentType }, { format, color }) {
  if (bytes.length === 0) return "";
  const mt = mediaType(contentType);
  const json = mt && isJsonType(mt.type) && parses(text);
  const markup = mt && isMarkupType(mt.type);
  if (!format) {
    if (color && json) return colorJson(text);
    if (color && markup) return colorMarkup(text);
    return bytes;
  }
  let out;
  if (json) {
    out = reindentJson(text, color);
  } else if (mt ? isJsonType(mt.type) || isTextType(mt) : validUtf8(bytes)) {
    out = color && markup ? colorMarkup(text) : text;
  } else if (validUtf8(bytes) && !bytes.includes(0)) {
    out = text;
  } else {
    out = `<${bytes.length} bytes of binary data>`;
  }
  return out.endsWith("\n") ? out : out + "\n";
}

function parses(text) {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
