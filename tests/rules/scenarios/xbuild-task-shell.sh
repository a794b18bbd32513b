# R17 positive: a custom MSBuild task assembly (Mono xbuild = MSBuild.exe in the Windows view)
# starts a shell itself (cmd.exe /c in the Windows view)
cd files/msbuild-task
mcs -nologo -target:library -r:/usr/lib/mono/4.5/Microsoft.Build.Framework.dll \
	-r:/usr/lib/mono/4.5/Microsoft.Build.Utilities.v4.0.dll -out:Tasks.dll Tasks.cs
xbuild /nologo Shell.proj
