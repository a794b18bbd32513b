# R18 positive: a custom MSBuild task assembly connects out from inside xbuild (MSBuild.exe)
cd files/msbuild-task
mcs -nologo -target:library -r:/usr/lib/mono/4.5/Microsoft.Build.Framework.dll \
	-r:/usr/lib/mono/4.5/Microsoft.Build.Utilities.v4.0.dll -out:Tasks.dll Tasks.cs
http_up
xbuild /nologo Beacon.proj
http_down
