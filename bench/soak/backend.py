# A soak backend: GET/POST answers, cacheable /cached (20 KB) and /cachedbig (100 KB), max-age=60, /healthz, and a WebSocket echo at /ws
# (RFC 6455, just enough of it: text/binary echoed, ping answered, close answered). Loopback only.
import base64, hashlib, http.server, struct, sys

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def answer(self):
        if self.headers.get("Upgrade", "").lower() == "websocket":
            return self.websocket()
        length = int(self.headers.get("Content-Length") or 0)
        if length: self.rfile.read(length)
        body = b"x" * (100000 if self.path.startswith("/cachedbig") else 20000 if self.path.startswith("/cached") else 2)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=60" if self.path.startswith("/cached") else "no-store")
        self.end_headers(); self.wfile.write(body)
    do_GET = do_POST = answer

    def websocket(self):
        accept = base64.b64encode(hashlib.sha1(self.headers["Sec-WebSocket-Key"].encode() + GUID).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket"); self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept); self.end_headers(); self.wfile.flush()
        self.close_connection = True
        while True:
            head = self.rfile.read(2)
            if len(head) < 2: return
            opcode, length = head[0] & 0x0F, head[1] & 0x7F
            if length == 126: length = struct.unpack(">H", self.rfile.read(2))[0]
            elif length == 127: length = struct.unpack(">Q", self.rfile.read(8))[0]
            mask = self.rfile.read(4) if head[1] & 0x80 else b"\0\0\0\0"
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(self.rfile.read(length)))
            reply = {0x1: 0x1, 0x2: 0x2, 0x9: 0xA, 0x8: 0x8}.get(opcode)
            if reply is not None:
                n = len(payload)
                size = bytes([n]) if n < 126 else (b"\x7e" + struct.pack(">H", n) if n < 65536 else b"\x7f" + struct.pack(">Q", n))
                self.wfile.write(bytes([0x80 | reply]) + size + payload); self.wfile.flush()
            if opcode == 0x8: return
    def log_message(self, *args): pass

http.server.ThreadingHTTPServer.daemon_threads = True
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
