# R17/R18 negative: xbuild running Exec tasks (the shell runs MSBuild's temporary script file)
# and a build whose task makes no connection
cd files/msbuild-task
xbuild /nologo Exec.proj
