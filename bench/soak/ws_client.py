# WebSocket load for the soak: HOLD connections kept open for the whole run (one echo a second each) and CHURN
# connections that live 3-20 s, close cleanly (close frame both ways) and reconnect. Every echo is one line "ws" in
# requests.log; every failure one line in failures.log: "EPOCH ws-hold|ws-churn ws://...: CAUSE".
# Usage: ws_client.py PORT HOLD CHURN SECONDS WORKDIR
import base64, os, random, socket, struct, sys, threading, time

port, hold, churn, seconds, work = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
end = time.time() + seconds
lock = threading.Lock()

def record(path, line):
    with lock, open(os.path.join(work, path), "a") as f: f.write(line + "\n")

def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk: raise ConnectionError("closed by peer (%d of %d bytes of a frame read)" % (len(data), n))
        data += chunk
    return data

def send_frame(sock, opcode, payload):
    mask = os.urandom(4); n = len(payload)
    size = bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n)
    sock.sendall(bytes([0x80 | opcode]) + size + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

def read_frame(sock):
    head = read_exact(sock, 2); n = head[1] & 0x7F
    if n == 126: n = struct.unpack(">H", read_exact(sock, 2))[0]
    elif n == 127: n = struct.unpack(">Q", read_exact(sock, 8))[0]
    return head[0] & 0x0F, read_exact(sock, n)

def connect():
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (port, key)).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk: raise ConnectionError("closed during the handshake")
        head += chunk
    status = head.split(b"\r\n", 1)[0].decode(errors="replace")
    if " 101 " not in status + " ": raise ConnectionError("handshake answered " + status)
    return sock

def worker(name, lifetime):
    seq = 0
    while time.time() < end:
        sock = None
        try:
            sock = connect()
            until = min(end, time.time() + lifetime())
            while time.time() < until:
                seq += 1; message = ("%s-%d" % (name, seq)).encode()
                send_frame(sock, 0x1, message)
                opcode, payload = read_frame(sock)
                if opcode != 0x1 or payload != message: raise ConnectionError("wrong echo %r" % payload[:40])
                record("requests.log", "ws")
                time.sleep(1)
            send_frame(sock, 0x8, struct.pack(">H", 1000))
            opcode, _ = read_frame(sock)
            if opcode != 0x8: raise ConnectionError("no close frame in answer to ours (opcode %d)" % opcode)
        except Exception as e:
            record("failures.log", "%.3f %s ws://127.0.0.1:%d/ws: %s: %s" % (time.time(), name.split("#")[0], port, type(e).__name__, e))
            time.sleep(0.5)
        finally:
            if sock: sock.close()

threads = [threading.Thread(target=worker, args=("ws-hold#%d" % i, lambda: seconds)) for i in range(hold)]
threads += [threading.Thread(target=worker, args=("ws-churn#%d" % i, lambda: random.uniform(3, 20))) for i in range(churn)]
for t in threads: t.start()
for t in threads: t.join()
