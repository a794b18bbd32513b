# R01/R02 negative (javac): an ordinary javac compile and run
cd files/javac-processor/app
javac -d . Hello.java
java -cp . Hello
