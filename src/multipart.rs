//! `multipart/form-data` bodies (httpx `files=`).

use bytes::{BufMut, Bytes, BytesMut};

use crate::body::Body;

/// A `multipart/form-data` form: text fields and files.
///
/// ```
/// use anyfetch::multipart::{Form, Part};
/// let form = Form::new()
///     .text("name", "ada")
///     .file("file", "a.png", vec![0x89, b'P', b'N', b'G'])
///     .part("notes", Part::bytes("x,y").file_name("data.csv").mime("text/csv"));
/// ```
#[derive(Debug, Clone)]
pub struct Form {
    boundary: String,
    parts: Vec<(String, Part)>,
}

/// One part of a [`Form`].
#[derive(Debug, Clone)]
pub struct Part {
    data: Bytes,
    file_name: Option<String>,
    mime: Option<String>,
}

impl Part {
    /// A text value.
    pub fn text(value: impl Into<String>) -> Part {
        Part {
            data: Bytes::from(value.into()),
            file_name: None,
            mime: None,
        }
    }

    /// Raw bytes (sent as `application/octet-stream` when given a file name and no type).
    pub fn bytes(data: impl Into<Bytes>) -> Part {
        Part {
            data: data.into(),
            file_name: None,
            mime: None,
        }
    }

    /// The file name sent with the part. Defaults to none (a plain field).
    pub fn file_name(mut self, name: impl Into<String>) -> Part {
        self.file_name = Some(name.into());
        self
    }

    /// The part's `Content-Type`. Defaults to none for fields, `application/octet-stream` for
    /// files.
    pub fn mime(mut self, mime: impl Into<String>) -> Part {
        self.mime = Some(mime.into());
        self
    }
}

impl Default for Form {
    fn default() -> Self {
        Form::new()
    }
}

impl Form {
    /// An empty form with a random boundary.
    pub fn new() -> Form {
        Form {
            boundary: format!(
                "anyfetch-{:016x}{:016x}",
                fastrand::u64(..),
                fastrand::u64(..)
            ),
            parts: Vec::new(),
        }
    }

    /// Adds a text field.
    pub fn text(self, name: impl Into<String>, value: impl Into<String>) -> Form {
        self.part(name, Part::text(value))
    }

    /// Adds a file from bytes, with its file name.
    pub fn file(
        self,
        name: impl Into<String>,
        file_name: impl Into<String>,
        data: impl Into<Bytes>,
    ) -> Form {
        self.part(name, Part::bytes(data).file_name(file_name))
    }

    /// Adds any part.
    pub fn part(mut self, name: impl Into<String>, part: Part) -> Form {
        self.parts.push((name.into(), part));
        self
    }

    /// The boundary between parts.
    pub fn boundary(&self) -> &str {
        &self.boundary
    }

    /// The `Content-Type` header value and the encoded body.
    pub(crate) fn into_body(self) -> (String, Body) {
        let mut out = BytesMut::new();
        for (name, part) in &self.parts {
            out.put_slice(format!("--{}\r\n", self.boundary).as_bytes());
            let mut disp = format!("Content-Disposition: form-data; name=\"{}\"", escape(name));
            if let Some(f) = &part.file_name {
                disp.push_str(&format!("; filename=\"{}\"", escape(f)));
            }
            out.put_slice(disp.as_bytes());
            out.put_slice(b"\r\n");
            let mime = part
                .mime
                .as_deref()
                .or(part.file_name.as_ref().map(|_| "application/octet-stream"));
            if let Some(m) = mime {
                let m: String = m.chars().filter(|c| !c.is_control()).collect();
                out.put_slice(format!("Content-Type: {m}\r\n").as_bytes());
            }
            out.put_slice(b"\r\n");
            out.put_slice(&part.data);
            out.put_slice(b"\r\n");
        }
        out.put_slice(format!("--{}--\r\n", self.boundary).as_bytes());
        (
            format!("multipart/form-data; boundary={}", self.boundary),
            Body::from(out.freeze()),
        )
    }
}

/// Escapes a field or file name as the HTML standard does (`"` `\r` `\n`).
fn escape(s: &str) -> String {
    s.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_bytes() {
        let mut form = Form::new().text("a", "b").file("f", "x\"y.txt", "hi");
        form.boundary = "B".into();
        let (ct, body) = form.into_body();
        assert_eq!(ct, "multipart/form-data; boundary=B");
        assert_eq!(
            std::str::from_utf8(body.as_bytes().unwrap()).unwrap(),
            "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n\
             --B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x%22y.txt\"\r\n\
             Content-Type: application/octet-stream\r\n\r\nhi\r\n--B--\r\n"
        );
    }
}
