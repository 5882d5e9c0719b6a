// Send signed events (Standard Webhooks) with .NET 6+ only.
//   KG_URL=... KG_SOURCE=eoffice-1 KG_SECRET=whsec_... dotnet run -- events.json
using System;
using System.IO;
using System.Net.Http;
using System.Security.Cryptography;
using System.Text;

class SendEvents
{
    static string Sign(string secret, string msgId, long timestamp, byte[] body)
    {
        var key = Convert.FromBase64String(secret.StartsWith("whsec_") ? secret[6..] : secret);
        using var hmac = new HMACSHA256(key);
        var prefix = Encoding.UTF8.GetBytes($"{msgId}.{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed, prefix.Length);
        return "v1," + Convert.ToBase64String(hmac.ComputeHash(signed));
    }

    static void Main(string[] args)
    {
        var body = File.ReadAllBytes(args[0]);
        var msgId = "msg_" + Guid.NewGuid().ToString("N");
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var url = $"{Environment.GetEnvironmentVariable("KG_URL")}/webhooks/{Environment.GetEnvironmentVariable("KG_SOURCE")}";
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add("webhook-id", msgId);
        request.Headers.Add("webhook-timestamp", ts.ToString());
        request.Headers.Add("webhook-signature", Sign(Environment.GetEnvironmentVariable("KG_SECRET")!, msgId, ts, body));
        var answer = new HttpClient().Send(request);
        // 429/503: wait Retry-After seconds, then resend with the SAME msgId and body.
        Console.WriteLine($"{(int)answer.StatusCode} {answer.Content.ReadAsStringAsync().Result}");
    }
}
