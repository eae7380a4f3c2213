-- echo1k.lua — wrk script for the 1 KiB echo row: POST /echo with a 1 KiB body.
wrk.method = "POST"
wrk.path = "/echo"
wrk.body = string.rep("x", 1024)
wrk.headers["Content-Type"] = "application/octet-stream"
