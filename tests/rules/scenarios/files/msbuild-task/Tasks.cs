// Custom MSBuild tasks, as a malicious NuGet package's build/*.targets would load them: code that
// runs inside MSBuild (T1127.001). Shell starts a command through the shell directly (not via the
// Exec task); Beacon connects out (to the test namespace's documentation address).
using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class Shell : Task {
    public override bool Execute() {
        var p = Process.Start(new ProcessStartInfo("/bin/sh", "-c \"id\"") { UseShellExecute = false });
        p.WaitForExit();
        return true;
    }
}

public class Beacon : Task {
    public override bool Execute() {
        try {
            using (var c = new TcpClient()) {
                c.Connect("203.0.113.7", 80);
                var s = c.GetStream();
                var req = System.Text.Encoding.ASCII.GetBytes("GET /b HTTP/1.0\r\n\r\n");
                s.Write(req, 0, req.Length);
            }
        } catch (SocketException) { }
        return true;
    }
}
