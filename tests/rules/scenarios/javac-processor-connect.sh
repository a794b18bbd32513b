# R01 positive (javac): an annotation processor on the processor path connects out from inside
# javac while Hello.java compiles
cd files/javac-processor
javac -d proc proc/Beacon.java
http_up
javac -processorpath proc -d app app/Hello.java
http_down
