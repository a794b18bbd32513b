// connect.cs — a .NET test program for tests/wine (compiled with mcs, run with mono):
//   MSBuild.exe ADDR PORT
// connects to ADDR:PORT over TCP. Exit status 0 when the connect succeeded, 1 when it failed.
using System;
using System.Net.Sockets;

class Connect {
    static int Main(string[] args)
    {
        if (args.Length < 2)
            return 2;
        try {
            using (var c = new TcpClient()) {
                c.Connect(args[0], int.Parse(args[1]));
            }
            return 0;
        } catch (SocketException) {
            return 1;
        }
    }
}
