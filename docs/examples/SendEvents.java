// Send signed events (Standard Webhooks) with the JDK only (Java 11+).
//   KG_URL=... KG_SOURCE=eoffice-1 KG_SECRET=whsec_... java SendEvents.java events.json
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

public class SendEvents {
    static String sign(String secret, String msgId, long timestamp, byte[] body) throws Exception {
        byte[] key = Base64.getDecoder().decode(secret.replaceFirst("^whsec_", ""));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update((msgId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    public static void main(String[] args) throws Exception {
        byte[] body = Files.readAllBytes(Path.of(args[0]));
        String msgId = "msg_" + UUID.randomUUID().toString().replace("-", "");
        long ts = System.currentTimeMillis() / 1000;
        HttpRequest request = HttpRequest.newBuilder()
            .uri(URI.create(System.getenv("KG_URL") + "/webhooks/" + System.getenv("KG_SOURCE")))
            .header("Content-Type", "application/json")
            .header("webhook-id", msgId)
            .header("webhook-timestamp", Long.toString(ts))
            .header("webhook-signature", sign(System.getenv("KG_SECRET"), msgId, ts, body))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
        HttpResponse<String> answer = HttpClient.newHttpClient()
            .send(request, HttpResponse.BodyHandlers.ofString());
        // 429/503: wait Retry-After seconds, then resend with the SAME msgId and body.
        System.out.println(answer.statusCode() + " " + answer.body());
    }
}
