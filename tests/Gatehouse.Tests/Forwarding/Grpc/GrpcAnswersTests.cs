using Gatehouse.Http;

namespace Gatehouse.Tests.Forwarding.Grpc;

public class GrpcAnswersTests
{
    [Theory]
    [InlineData(400, GrpcAnswers.Internal)]
    [InlineData(401, GrpcAnswers.Unauthenticated)]
    [InlineData(403, GrpcAnswers.PermissionDenied)]
    [InlineData(404, GrpcAnswers.Unimplemented)]
    [InlineData(429, GrpcAnswers.Unavailable)]
    [InlineData(502, GrpcAnswers.Unavailable)]
    [InlineData(503, GrpcAnswers.Unavailable)]
    [InlineData(504, GrpcAnswers.Unavailable)]
    [InlineData(413, GrpcAnswers.Unknown)]
    [InlineData(500, GrpcAnswers.Unknown)]
    public void StatusFor_FollowsGrpcsHttpMapping(int http, int grpc)
    {
        Assert.Equal(grpc, GrpcAnswers.StatusFor(http));
    }

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc-web-text", true)]
    [InlineData("application/grpc; charset=utf-8", true)]
    [InlineData("APPLICATION/GRPC", true)]
    [InlineData("application/grpcx", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void IsGrpcContentType_TakesGrpcAndGrpcWeb(string? type, bool expected)
    {
        Assert.Equal(expected, GrpcAnswers.IsGrpcContentType(type));
    }

    [Fact]
    public void EncodeMessage_PercentEncodesWhatIsNotPrintableAscii()
    {
        Assert.Equal("50%25 off%0A%C3%A9", GrpcAnswers.EncodeMessage("50% off\né"));
        Assert.Equal("a%25b", GrpcAnswers.EncodeMessage("a%b"));
    }
}
