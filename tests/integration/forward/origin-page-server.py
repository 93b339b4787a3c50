# The web server of the "other origin" page for tst_forward_allow_origin: serves PAGE as /page.html, prints the report
# the page POSTs to /report on stdout, and holds the page's last script, /hold, until then: the page's load event waits
# for it, and headless Chromium dumps the page and exits only after that. usage: origin-page-server.py PORT PAGE
import http.server
import sys
import threading

port, page = int(sys.argv[1]), open(sys.argv[2], "rb").read()
reported = threading.Event()


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, status, body=b"", ctype="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/page.html":
            self.answer(200, page, "text/html; charset=utf-8")
        elif self.path == "/hold":
            reported.wait(30)
            self.answer(200, b"// the report is in\n", "text/javascript")
        else:
            self.answer(404, b"not found")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != "/report":
            return self.answer(404, b"not found")
        print("report:" + body.decode("utf-8", "replace").replace("\n", "|"), flush=True)
        reported.set()
        self.answer(204)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
