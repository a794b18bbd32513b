/*
 * connect.c — a Windows test program for tests/wine (built with mingw-w64, run under Wine):
 *   prog.exe ADDR PORT [CHILD-COMMAND-LINE]
 *   prog.exe /c SCRIPT        (SCRIPT's first line: "ADDR PORT"; a stand-in for cmd.exe)
 * connects to ADDR:PORT over TCP with Winsock (under Wine, wineserver makes the connect()),
 * then, with a third argument, starts it with CreateProcess and waits for it. Exit status 0
 * when the connect succeeded, 1 when it failed, 2 on bad usage. CONNECT_DELAY_MS in the
 * environment: wait that long first.
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

int main(int argc, char **argv)
{
    WSADATA wsa;
    struct sockaddr_in sin;
    int ok;
    char addr[64], port[16];
    if (argc < 3)
        return 2;
    if (!strcmp(argv[1], "/c") || !strcmp(argv[1], "/C")) {
        FILE *f = fopen(argv[2], "r");
        if (!f || fscanf(f, "%63s %15s", addr, port) != 2)
            return 2;
        fclose(f);
        argv[1] = addr;
        argv[2] = port;
        argc = 3;
    }
    if (getenv("CONNECT_DELAY_MS")) /* lets a test start the sensor after the program */
        Sleep((DWORD)atoi(getenv("CONNECT_DELAY_MS")));
    if (WSAStartup(MAKEWORD(2, 2), &wsa))
        return 2;
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)atoi(argv[2]));
    sin.sin_addr.s_addr = inet_addr(argv[1]);
    ok = connect(s, (struct sockaddr *)&sin, sizeof sin) == 0;
    closesocket(s);
    if (argc > 3) {
        STARTUPINFOA si;
        PROCESS_INFORMATION pi;
        memset(&si, 0, sizeof si);
        si.cb = sizeof si;
        if (CreateProcessA(NULL, argv[3], NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
            WaitForSingleObject(pi.hProcess, 10000);
            CloseHandle(pi.hProcess);
            CloseHandle(pi.hThread);
        }
    }
    WSACleanup();
    return ok ? 0 : 1;
}
